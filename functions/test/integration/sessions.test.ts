/**
 * Sessions and identity against the real Auth emulator: a role change or a ban ends the
 * person's sessions at once, the profile never takes its role back from a stale token, bans are
 * recorded and resumable, and the blocking functions keep a banned person out.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { doc, getDoc } from "firebase/firestore";
import { BanUserResponse, CALLABLES, UnbanUserResponse, UpdateProfileResponse } from "../../src/contract";
import { applyBan } from "../../src/admin/bans.service";
import { applyRole } from "../../src/admin/roles.service";
import { admin, callError, signInWithRole, signUp, waitForDocument, type AppClient } from "../support/emulators";

const REPO = join(__dirname, "..", "..", "..");
const PASSWORD = "correct-horse-battery";

/**
 * Revocation has a one-second grain (Auth compares `auth_time` with `tokensValidAfterTime` in
 * whole seconds): a session begun in the second of the revocation survives it. Tests wait it out.
 */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

function runScript(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "ban.ts"), ...args], { cwd: REPO, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** What the client SDK reports when Auth or a blocking function refuses a sign-in or sign-up. */
async function authError(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error("Expected Auth to refuse, but it accepted.");
}

describe("sessions", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);

  it("a demoted admin loses callable access at once, and signs in again to a customer's rights", async () => {
    const demoted = track(await signInWithRole("admin"));
    const other = track(await signInWithRole("admin"));
    const target = track(await signUp());
    await demoted.call(CALLABLES.setUserRole, { uid: target.user.uid, role: "courier" });
    await nextSecond();

    await other.call(CALLABLES.setUserRole, { uid: demoted.user.uid, role: "customer" });
    const refused = await callError(demoted.call(CALLABLES.setUserRole, { uid: target.user.uid, role: "admin" }));
    assert.equal(refused.code, "functions/unauthenticated", "the old admin token no longer works");
    assert.equal(refused.details.reason, "session-revoked");
    assert.match(refused.message, /sign in again/i);
    assert.equal((await admin().auth.getUser(target.user.uid)).customClaims?.role, "courier", "nothing was granted");

    // Deployed, Auth refuses the revoked refresh token; the emulator still refreshes it, but the
    // refreshed token keeps the old sign-in time (`auth_time`), so it is refused just the same.
    await getAuth(demoted.app).currentUser!.getIdToken(true).catch(() => undefined);
    const refreshed = await callError(demoted.call(CALLABLES.setUserRole, { uid: target.user.uid, role: "admin" }));
    assert.match(refreshed.code, /functions\/(unauthenticated|permission-denied)/);

    await signInWithEmailAndPassword(getAuth(demoted.app), demoted.user.email!, PASSWORD);
    const again = await callError(demoted.call(CALLABLES.setUserRole, { uid: target.user.uid, role: "admin" }));
    assert.equal(again.code, "functions/permission-denied", "a fresh session carries the new role");
  });

  it("a fired staff member's old token is refused by staff callables", async () => {
    const staff = track(await signInWithRole("staff", ["r-fired"]));
    await staff.call(CALLABLES.updateProfile, { displayName: "Line cook" });
    await admin().db.doc("restaurantBoards/r-fired/openOrders/o-fired").set({ orderId: "o-fired", status: "placed", version: 1 });
    const board = doc(staff.firestore, "restaurantBoards/r-fired/openOrders/o-fired");
    assert.equal((await getDoc(board)).get("status"), "placed", "staff read their board");
    await nextSecond();
    await applyRole({ uid: staff.user.uid, role: "customer", restaurantIds: [] }, { id: "test-admin", correlationId: randomUUID() });
    const refused = await callError(staff.call(CALLABLES.restaurantOrderAction, { orderId: "any-order", action: "accept" }));
    assert.equal(refused.code, "functions/unauthenticated");
    assert.equal(refused.details.reason, "session-revoked");
    const profile = (await admin().db.doc(`users/${staff.user.uid}`).get()).data()!;
    assert.equal(profile.role, "customer");
    assert.equal(typeof profile.sessionsValidAfter, "number", "the revocation is mirrored for security rules");
    await assert.rejects(getDoc(board), (e: { code?: string }) => e.code === "permission-denied", "the old token no longer reads the board");
  });

  it("updateProfile keeps the role that role administration wrote, whatever the token says", async () => {
    const app = track(await signUp());
    await waitForDocument(app.firestore, `users/${app.user.uid}`, (d) => d !== undefined);
    // The token still says customer, and is not revoked (a role set by another tool, or within the
    // second of the sign-in); the profile mirror says courier.
    await admin().auth.setCustomUserClaims(app.user.uid, { role: "courier", restaurantIds: [] });
    await admin().db.doc(`users/${app.user.uid}`).set({ role: "courier", restaurantIds: [] }, { merge: true });
    const updated = UpdateProfileResponse.parse(await app.call(CALLABLES.updateProfile, { displayName: "Rider" }));
    assert.equal(updated.role, "courier");
    assert.equal((await admin().db.doc(`users/${app.user.uid}`).get()).get("role"), "courier", "the profile keeps the new role");
  });

  it("updateProfile with a demoted staff member's old token leaves the new role in place", async () => {
    const staff = track(await signInWithRole("staff", ["r-stale"]));
    await waitForDocument(staff.firestore, `users/${staff.user.uid}`, (d) => d !== undefined);
    await nextSecond();
    await applyRole({ uid: staff.user.uid, role: "customer", restaurantIds: [] }, { id: "test-admin", correlationId: randomUUID() });
    await staff.call(CALLABLES.updateProfile, { displayName: "Stale" }).catch(() => undefined);
    assert.equal((await admin().db.doc(`users/${staff.user.uid}`).get()).get("role"), "customer");
  });
});

describe("bans", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);

  it("an admin bans a user: account disabled, sessions ended, recorded and audited, identity kept as keyed hashes", async () => {
    const moderator = track(await signInWithRole("admin"));
    const email = `Banned.Person+${randomUUID().slice(0, 8)}@Example.test`;
    const target = track(await signUp(email));
    await admin().auth.updateUser(target.user.uid, { phoneNumber: `+3460${String(Date.now()).slice(-7)}` });
    await nextSecond();

    const result = BanUserResponse.parse(await moderator.call(CALLABLES.banUser, { uid: target.user.uid, reason: "fraud" }));
    assert.equal(result.status, "banned");
    assert.equal(result.reason, "fraud");

    const account = await admin().auth.getUser(target.user.uid);
    assert.equal(account.disabled, true);
    assert.ok(account.tokensValidAfterTime, "refresh tokens revoked");
    const ban = (await admin().db.doc(`bans/${target.user.uid}`).get()).data()!;
    assert.equal(ban.status, "banned");
    assert.equal(ban.reason, "fraud");
    assert.equal(ban.actorUid, moderator.user.uid);
    assert.ok(ban.bannedAt);
    assert.equal(ban.identities.length, 2, "email and phone");
    assert.ok(!JSON.stringify(ban).includes("Example.test"), "no raw email in the record");
    for (const id of ban.identities as string[]) {
      assert.equal((await admin().db.doc(`bannedIdentities/${id}`).get()).get("uid"), target.user.uid);
    }
    const audit = await admin().db.collection("auditLog").where("targetUid", "==", target.user.uid).where("action", "==", "user.banned").get();
    assert.equal(audit.size, 1);
    assert.equal(audit.docs[0].get("outcome"), "applied");

    const refused = await callError(target.call(CALLABLES.updateProfile, { displayName: "Still here" }));
    assert.equal(refused.code, "functions/unauthenticated", "the banned user's session is over");
    assert.equal(refused.details.reason, "session-revoked");
    const order = await callError(target.call(CALLABLES.placeOrder, {}));
    assert.equal(order.details.reason, "session-revoked", "checkout asks for the session check, before anything else");

    // The same person signing up again, with a variant of the address or after the account is gone.
    const variant = email.replace(/\+[^@]*/, "+again").toLowerCase();
    const again = await authError(signUp(variant));
    assert.match(again.message, /account-banned|not allowed/i, again.message);
    await admin().auth.deleteUser(target.user.uid);
    const sameAddress = await authError(signUp(email));
    assert.match(sameAddress.message, /account-banned|not allowed/i, sameAddress.message);
  });

  it("refuses self-bans and unknown users, and changes nothing", async () => {
    const moderator = track(await signInWithRole("admin"));
    const self = await callError(moderator.call(CALLABLES.banUser, { uid: moderator.user.uid, reason: "spam" }));
    assert.equal(self.code, "functions/failed-precondition");
    assert.equal(self.details.reason, "self-ban");
    assert.equal((await admin().auth.getUser(moderator.user.uid)).disabled, false);
    assert.equal((await admin().db.doc(`bans/${moderator.user.uid}`).get()).exists, false);

    const unknown = await callError(moderator.call(CALLABLES.banUser, { uid: `nobody-${randomUUID()}`.slice(0, 40), reason: "spam" }));
    assert.equal(unknown.code, "functions/not-found");
    assert.equal(unknown.details.reason, "user-not-found");

    const badReason = await callError(moderator.call(CALLABLES.banUser, { uid: moderator.user.uid, reason: "felt like it" }));
    assert.equal(badReason.code, "functions/invalid-argument");
    assert.deepEqual((badReason.details.fields as { path: string }[]).map((f) => f.path), ["reason"]);

    const customer = track(await signUp());
    const denied = await callError(customer.call(CALLABLES.banUser, { uid: moderator.user.uid, reason: "spam" }));
    assert.equal(denied.code, "functions/permission-denied");
  });

  it("a ban interrupted between steps stays visible and a retry completes it", async () => {
    const moderator = track(await signInWithRole("admin"));
    const target = await admin().auth.createUser({ email: `half-${randomUUID()}@example.test`, password: PASSWORD });
    // As a crash after the first step leaves it: recorded, the account not yet disabled.
    await admin().db.doc(`bans/${target.uid}`).set({ uid: target.uid, status: "banning", reason: "spam", actorUid: "earlier-admin", identities: [], requestedAt: new Date() });

    const result = BanUserResponse.parse(await moderator.call(CALLABLES.banUser, { uid: target.uid, reason: "spam" }));
    assert.equal(result.status, "banned");
    assert.equal((await admin().auth.getUser(target.uid)).disabled, true);
    const ban = (await admin().db.doc(`bans/${target.uid}`).get()).data()!;
    assert.equal(ban.status, "banned");
    assert.equal(ban.identities.length, 1, "the retry recorded the email's hash too");

    const twice = BanUserResponse.parse(await moderator.call(CALLABLES.banUser, { uid: target.uid, reason: "spam" }));
    assert.equal(twice.status, "banned", "banning a banned user changes nothing");
  });

  it("unban lifts it: account enabled, identities released, sign-in works again", async () => {
    const moderator = track(await signInWithRole("admin"));
    const email = `lifted-${randomUUID()}@example.test`;
    const target = await admin().auth.createUser({ email, password: PASSWORD });
    await moderator.call(CALLABLES.banUser, { uid: target.uid, reason: "harassment" });
    const identities = (await admin().db.doc(`bans/${target.uid}`).get()).get("identities") as string[];

    const result = UnbanUserResponse.parse(await moderator.call(CALLABLES.unbanUser, { uid: target.uid }));
    assert.equal(result.status, "unbanned");
    assert.equal((await admin().auth.getUser(target.uid)).disabled, false);
    assert.equal((await admin().db.doc(`bans/${target.uid}`).get()).get("status"), "unbanned");
    for (const id of identities) assert.equal((await admin().db.doc(`bannedIdentities/${id}`).get()).exists, false);
    const signedIn = track(await signUp(`other-${randomUUID()}@example.test`));
    await signInWithEmailAndPassword(getAuth(signedIn.app), email, PASSWORD);

    const notBanned = await callError(moderator.call(CALLABLES.unbanUser, { uid: target.uid }));
    assert.equal(notBanned.code, "functions/failed-precondition");
    assert.equal(notBanned.details.reason, "not-banned");
  });

  it("refuses sign-in of a banned account even if someone re-enables it outside the ban", async () => {
    const email = `reenabled-${randomUUID()}@example.test`;
    const target = await admin().auth.createUser({ email, password: PASSWORD });
    await applyBan({ uid: target.uid, reason: "fraud" }, { id: "test-admin", correlationId: randomUUID() });
    await admin().auth.updateUser(target.uid, { disabled: false });

    const app = track(await signUp());
    const refused = await authError(signInWithEmailAndPassword(getAuth(app.app), email, PASSWORD));
    assert.match(refused.message, /account-banned/, refused.message);
  });

  it("the script bans and unbans by uid, with a reason code", async () => {
    const target = await admin().auth.createUser({ email: `script-ban-${randomUUID()}@example.test`, password: PASSWORD });
    const noReason = runScript([target.uid]);
    assert.equal(noReason.status, 2, noReason.output);
    assert.match(noReason.output, /--reason/);

    const banned = runScript([target.uid, "--reason", "payment-abuse"]);
    assert.equal(banned.status, 0, banned.output);
    assert.match(banned.output, /banned/);
    const ban = (await admin().db.doc(`bans/${target.uid}`).get()).data()!;
    assert.equal(ban.status, "banned");
    assert.match(String(ban.actorUid), /^script:/);
    assert.equal((await admin().auth.getUser(target.uid)).disabled, true);

    const lifted = runScript([target.uid, "--unban"]);
    assert.equal(lifted.status, 0, lifted.output);
    assert.equal((await admin().auth.getUser(target.uid)).disabled, false);

    const unknown = runScript([`nobody-${randomUUID()}`.slice(0, 40), "--reason", "spam"]);
    assert.equal(unknown.status, 1, unknown.output);
    assert.match(unknown.output, /not found/i);
  });
});
