import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BAN_IN_FORCE, BAN_STATES, BAN_TRANSITIONS, decideBanMove } from "../../src/admin/ban-state";
import { staffPolicyRefusal } from "../../src/auth/admission.service";
import { canonicalEmail } from "../../src/auth/banned-identities";

describe("ban lifecycle", () => {
  it("goes banning -> banned -> unbanning -> unbanned, each in-between state resumable", () => {
    assert.deepEqual(decideBanMove(null, "ban"), { ok: true, to: "banning" });
    assert.deepEqual(decideBanMove("banning", "ban"), { ok: true, to: "banning" });
    assert.deepEqual(decideBanMove("banning", "complete"), { ok: true, to: "banned" });
    assert.deepEqual(decideBanMove("banned", "unban"), { ok: true, to: "unbanning" });
    assert.deepEqual(decideBanMove("unbanning", "unban"), { ok: true, to: "unbanning" });
    assert.deepEqual(decideBanMove("unbanning", "complete"), { ok: true, to: "unbanned" });
    assert.deepEqual(decideBanMove("unbanned", "ban"), { ok: true, to: "banning" });
  });

  it("refuses what would change nothing or skip a step", () => {
    assert.deepEqual(decideBanMove("banned", "ban"), { ok: false, reason: "already-banned" });
    assert.deepEqual(decideBanMove(null, "unban"), { ok: false, reason: "not-banned" });
    assert.deepEqual(decideBanMove("unbanned", "unban"), { ok: false, reason: "not-banned" });
    assert.deepEqual(decideBanMove("banned", "complete"), { ok: false, reason: "not-in-progress" });
    assert.deepEqual(decideBanMove(null, "complete"), { ok: false, reason: "not-in-progress" });
  });

  it("never reaches unbanned without passing unbanning, nor banned without banning", () => {
    for (const t of BAN_TRANSITIONS) {
      if (t.to === "unbanned") assert.equal(t.from, "unbanning");
      if (t.to === "banned") assert.equal(t.from, "banning");
    }
    assert.deepEqual(BAN_STATES.filter((s) => !BAN_IN_FORCE.includes(s)), ["unbanned"], "only a completed lift lets the person back");
  });
});

describe("banned identities", () => {
  it("treats tags, case and Gmail dots as the same mailbox", () => {
    assert.equal(canonicalEmail(" Ann.Lee+promo@GMAIL.com "), "annlee@gmail.com");
    assert.equal(canonicalEmail("ann.lee@googlemail.com"), "annlee@gmail.com");
    assert.equal(canonicalEmail("Ann.Lee+x@Example.test"), "ann.lee@example.test");
  });
});

describe("staff sign-in policy", () => {
  const staff = { customClaims: { role: "staff" }, emailVerified: false, multiFactor: undefined };
  const both = { requireVerifiedEmail: true, requireSecondFactor: true };

  it("lets everyone in while both params are off (the default)", () => {
    assert.equal(staffPolicyRefusal(staff, { requireVerifiedEmail: false, requireSecondFactor: false }), undefined);
  });

  it("refuses staff and admins without a verified email, then without a second factor", () => {
    assert.equal(staffPolicyRefusal(staff, both)?.extra.reason, "email-not-verified");
    const verified = { ...staff, customClaims: { role: "admin" }, emailVerified: true };
    assert.equal(staffPolicyRefusal(verified, both)?.extra.reason, "second-factor-required");
    const enrolled = { ...verified, multiFactor: { enrolledFactors: [{ uid: "f1", factorId: "phone", enrollmentTime: "" }] } };
    assert.equal(staffPolicyRefusal(enrolled as never, both), undefined);
  });

  it("never applies to customers and couriers", () => {
    assert.equal(staffPolicyRefusal({ ...staff, customClaims: {} }, both), undefined);
    assert.equal(staffPolicyRefusal({ ...staff, customClaims: { role: "courier" } }, both), undefined);
  });
});
