import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decideOfferEnd, OFFER_TRANSITIONS } from "../../src/dispatch/offer-state";

describe("courier offer lifecycle", () => {
  const open = { courierUid: "c1", number: 2 };

  it("lets the courier accept or decline, time let it lapse, and the order withdraw it", () => {
    assert.deepEqual(decideOfferEnd(open, "c1", 2, "accepted", "courier"), { ok: true });
    assert.deepEqual(decideOfferEnd(open, "c1", 2, "declined", "courier"), { ok: true });
    assert.deepEqual(decideOfferEnd(open, "c1", 2, "lapsed", "timeout"), { ok: true });
    assert.deepEqual(decideOfferEnd(open, "c1", undefined, "withdrawn", "order"), { ok: true });
    assert.equal(OFFER_TRANSITIONS.length, 4);
  });

  it("ends nothing but the open offer itself: a late timeout or another courier's answer changes nothing", () => {
    assert.deepEqual(decideOfferEnd(null, "c1", 2, "lapsed", "timeout"), { ok: false, reason: "no-open-offer" });
    assert.deepEqual(decideOfferEnd(open, "c1", 1, "lapsed", "timeout"), { ok: false, reason: "not-this-offer" });
    assert.deepEqual(decideOfferEnd(open, "c2", 2, "declined", "courier"), { ok: false, reason: "not-this-offer" });
  });

  it("refuses an end by the wrong party", () => {
    assert.deepEqual(decideOfferEnd(open, "c1", 2, "accepted", "timeout"), { ok: false, reason: "not-your-move" });
    assert.deepEqual(decideOfferEnd(open, "c1", 2, "lapsed", "courier"), { ok: false, reason: "not-your-move" });
  });
});
