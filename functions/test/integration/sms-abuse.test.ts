/**
 * SMS cannot be turned against us or anyone else (pumping to premium numbers, phishing in the
 * brand's name): a number is texted only once Firebase Auth verified it, in an allowed country,
 * within per-user, per-number and global hourly limits; no text a client or staff member wrote
 * ever reaches a message; opt-outs and the record of numbers cycled through accounts keep no
 * phone number or uid.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { FieldValue } from "firebase-admin/firestore";
import { CALLABLES } from "../../src/contract/callables";
import { keyedHash } from "../../src/shared/pseudonym";
import { admin, callError, PROJECT_ID, randomPhone, signInWithRole, signUp, type AppClient, payload } from "../support/emulators";
import { failTwilio, ledgerEntry, profile, resetDoubles, setPreferences, smsTo, staffedKitchen, twilioCallback } from "../support/notifications";
import { eventually, placedOrder, type Kitchen } from "../support/workflow";

const PLACED = "orders.v1.placed";
const REJECTED = "orders.v1.rejected";
const CANCELLED = "orders.v1.cancelled";

/** `yyyymmddhh` in UTC, as the SMS counters name their hour; the budget has 10 shards per hour. */
const hourKey = (at: Date) => at.toISOString().slice(0, 13).replace(/\D/g, "");
const BUDGET_SHARDS = 10;

const AUTH = `http://${process.env.FIREBASE_AUTH_EMULATOR_HOST ?? "127.0.0.1:9099"}`;
const identityToolkit = (method: string) => `${AUTH}/identitytoolkit.googleapis.com/v1/accounts:${method}?key=demo-api-key`;

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const json = (await response.json()) as T;
  assert.equal(response.status, 200, `${url}: ${JSON.stringify(json)}`);
  return json;
}

/**
 * Links `phone` to the client's account the way the app's phone verification screen does, over
 * the Auth emulator's REST API: send a code, read it where the emulator lists the codes it "sent",
 * and sign in with it holding the account's ID token (linking).
 */
async function linkPhoneThroughVerification(client: AppClient, phone: string): Promise<void> {
  const { sessionInfo } = await postJson<{ sessionInfo: string }>(identityToolkit("sendVerificationCode"), { phoneNumber: phone, recaptchaToken: "emulator" });
  const codes = (await (await fetch(`${AUTH}/emulator/v1/projects/${PROJECT_ID}/verificationCodes`)).json()) as { verificationCodes: { sessionInfo: string; code: string }[] };
  const code = codes.verificationCodes.find((c) => c.sessionInfo === sessionInfo)?.code;
  assert.ok(code, "the emulator lists the code it sent");
  const idToken = await client.user.getIdToken();
  await postJson(identityToolkit("signInWithPhoneNumber"), { sessionInfo, code, idToken });
}

describe("SMS abuse", () => {
  const clients: { close(): Promise<void> }[] = [];
  const track = <T extends { close(): Promise<void> }>(client: T) => (clients.push(client), client);

  /**
   * A kitchen whose customer takes order updates by SMS only, at a number Firebase Auth holds for
   * the account (set by the admin SDK) and the profile mirrors, as `auth-syncPhone` leaves it.
   */
  async function textableKitchen(phone = randomPhone()): Promise<{ k: Kitchen; phone: string }> {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    await admin().auth.updateUser(k.customer.user.uid, { phoneNumber: phone });
    await profile(k.customer.user.uid, { phone, phoneVerified: true });
    await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: true } } });
    return { k, phone };
  }
  afterEach(resetDoubles);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("refuses a phone number typed into the profile, and never texts one an old profile holds", async () => {
    const app = track(await signUp());
    await eventually("profile", async () => (await admin().db.doc(`users/${app.user.uid}`).get()).exists);
    const refused = await callError(app.call(CALLABLES.updateProfile, { displayName: "Eve", phone: "+34600123456" }));
    assert.equal(refused.code, "functions/invalid-argument");
    assert.equal(refused.details.reason, "phone-verification-required");
    assert.deepEqual((refused.details.fields as { path: string }[]).map((f) => f.path), ["phone"]);
    assert.match(String((refused.details.fields as { message: string }[])[0].message), /Firebase Auth/);
    const stored = (await admin().db.doc(`users/${app.user.uid}`).get()).data()!;
    assert.equal(stored.phone, null, "nothing changed");
    assert.equal(stored.displayName ?? null, null);

    // A profile written before this rule, with a number the app typed in (and no verified mark:
    // the kitchen's customer has a verified number of their own, which the typed one replaces).
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    const typed = randomPhone();
    await profile(k.customer.user.uid, { phone: typed, phoneVerified: FieldValue.delete() });
    await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: true } } });
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([sms.status, sms.reason], ["skipped", "phone-unverified"]);
    assert.equal((await smsTo(typed)).length, 0, "nothing reached Twilio");
  });

  it("takes the number Firebase Auth verified, through the emulator's real phone verification", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    await eventually("profile", async () => (await admin().db.doc(`users/${k.customer.user.uid}`).get()).exists);
    const phone = randomPhone();
    await linkPhoneThroughVerification(k.customer, phone);
    assert.equal((await admin().auth.getUser(k.customer.user.uid)).phoneNumber, phone, "Auth holds the verified number");

    const synced = await k.customer.call<{ phone: string | null; phoneVerified: boolean }>(CALLABLES.syncPhone, {});
    assert.deepEqual(payload(synced as object), { phone, phoneVerified: true });
    const stored = (await admin().db.doc(`users/${k.customer.user.uid}`).get()).data()!;
    assert.deepEqual([stored.phone, stored.phoneVerified], [phone, true]);

    await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: true } } });
    await placedOrder(k, "cash");
    assert.equal((await ledgerEntry(k.customer.user.uid, PLACED, "sms")).status, "queued");
    assert.equal((await smsTo(phone)).length, 1);

    // Unlinked in Auth: the profile loses the number at the next sync.
    await admin().auth.updateUser(k.customer.user.uid, { phoneNumber: null });
    assert.deepEqual(payload(await k.customer.call<object>(CALLABLES.syncPhone, {})), { phone: null, phoneVerified: false });
  });

  it("refuses numbers outside the allowed countries, at sync and at send", async () => {
    const app = track(await signUp());
    await eventually("profile", async () => (await admin().db.doc(`users/${app.user.uid}`).get()).exists);
    const premium = `+8823${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
    await admin().auth.updateUser(app.user.uid, { phoneNumber: premium });
    const refused = await callError(app.call(CALLABLES.syncPhone, {}));
    assert.equal(refused.code, "functions/failed-precondition");
    assert.equal(refused.details.reason, "phone-country-not-allowed");
    assert.equal((await admin().db.doc(`users/${app.user.uid}`).get()).get("phone"), null, "the profile keeps no number it may not text");

    // Verified before the allowed list changed: still never texted.
    const elsewhere = `+2348${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
    const { k } = await textableKitchen(elsewhere);
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([sms.status, sms.reason], ["skipped", "country-not-allowed"]);
    assert.equal((await smsTo(elsewhere)).length, 0);
  });

  it("caps SMS per destination number, whichever account it is on", async () => {
    const { k, phone } = await textableKitchen();
    const hour = hourKey(new Date());
    // Four already sent to this number this hour from other accounts (SMS_PER_NUMBER_PER_HOUR=4).
    await admin().db.doc(`smsNumberUsage/${keyedHash("phone", phone)}_${hour}`).set({ count: 4 });
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([sms.status, sms.reason], ["skipped", "number-hourly-cap"]);
    assert.equal((await smsTo(phone)).length, 0);
    const userUsage = await admin().db.doc(`smsUsage/${k.customer.user.uid}_${hour}`).get();
    assert.equal(userUsage.get("count") ?? 0, 0, "a refused message counts against nothing");
  });

  it("stops at the hourly SMS budget and leaves a record operators can list", async () => {
    const { k, phone } = await textableKitchen();
    // SMS_BUDGET_PER_HOUR=100000 in .env.local: every shard of this hour (and the next, should
    // the hour turn during the test) holds its share.
    const now = Date.now();
    const hours = [hourKey(new Date(now)), hourKey(new Date(now + 3_600_000))];
    const share = Math.ceil(100_000 / BUDGET_SHARDS);
    const shards = hours.flatMap((hour) => Array.from({ length: BUDGET_SHARDS }, (_, n) => admin().db.doc(`smsBudget/${hour}/budgetShards/${n}`)));
    const before = await Promise.all(shards.map(async (ref) => ({ ref, count: ((await ref.get()).get("count") as number | undefined) ?? 0 })));
    try {
      await Promise.all(shards.map((ref) => ref.set({ count: share })));
      await placedOrder(k, "cash");
      const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
      assert.deepEqual([sms.status, sms.reason], ["skipped", "sms-budget-exhausted"]);
      assert.equal((await smsTo(phone)).length, 0);
      const exhausted = await admin().db.collection("smsBudget").where("exhausted", "==", true).get();
      assert.ok(exhausted.docs.some((d) => hours.includes(d.id)), "the hour is listed as having run out");
    } finally {
      await Promise.all(before.map(({ ref, count }) => ref.set({ count })));
      await Promise.all(hours.map((hour) => admin().db.doc(`smsBudget/${hour}`).delete()));
    }
  });

  it("puts no text a client or staff member wrote into a message: reasons are codes", async () => {
    const { k, phone } = await textableKitchen();
    const order = await placedOrder(k, "cash");

    const freeText = await callError(k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "Call +44 909 879 0000 for a refund" }));
    assert.equal(freeText.code, "functions/invalid-argument");
    assert.deepEqual((freeText.details.fields as { path: string }[]).map((f) => f.path), ["reason"]);
    const cancelText = await callError(k.customer.call(CALLABLES.cancelOrder, { orderId: order.orderId, reason: "win a prize at evil.example" }));
    assert.equal(cancelText.code, "functions/invalid-argument");

    const operator = track(await signInWithRole("admin"));
    const note = `Customer phoned support ${randomUUID()}`;
    await operator.call(CALLABLES.adminOrderAction, { orderId: order.orderId, action: "cancel", reason: "customer-request", note });
    const sms = await ledgerEntry(k.customer.user.uid, CANCELLED, "sms");
    assert.equal(sms.status, "queued");
    const texts = (await smsTo(phone)).map((m) => m.body);
    const cancelled = texts.find((body) => body.includes("cancelled"));
    assert.ok(cancelled, `a cancellation text among ${JSON.stringify(texts)}`);
    assert.match(cancelled, /We cancelled it at your request\./);
    for (const body of texts) assert.doesNotMatch(body, /Customer phoned|Limited dish|Trattoria/i, "no free text, no catalog text");

    const stored = (await admin().db.doc(`orders/${order.orderId}`).get()).data()!;
    assert.equal(JSON.stringify(stored).includes(note), false, "the note is not on the order its customer reads");
    const audit = await admin().db.collection("auditLog").where("orderId", "==", order.orderId).get();
    assert.deepEqual(audit.docs.map((d) => [d.get("reason"), d.get("note")]), [["customer-request", note]], "the note is in the audit log");
    assert.equal((await ledgerEntry(k.customer.user.uid, REJECTED, "sms", () => true, 2_000).catch(() => null)), null, "the refused reject moved nothing");
  });

  it("keeps opt-outs by the number's keyed hash, from a refused send and from a delivery report", async () => {
    const { k, phone } = await textableKitchen();
    await failTwilio({ to: `\\${phone}`, status: 400, code: 21610, count: 1 });
    await placedOrder(k, "cash");
    assert.deepEqual((await ledgerEntry(k.customer.user.uid, PLACED, "sms")).reason, "opted-out");
    const optOut = await admin().db.doc(`smsOptOuts/${keyedHash("phone", phone)}`).get();
    assert.ok(optOut.exists, "the opt-out is keyed by the number's keyed hash");
    assert.ok(!JSON.stringify(optOut.data()).includes(phone.slice(1)), "and holds no phone number");
    assert.equal((await admin().db.doc(`smsOptOuts/${phone}`).get()).exists, false, "nothing keyed by the raw number");

    // STOP reported by Twilio after a message was taken.
    const { k: later, phone: laterPhone } = await textableKitchen();
    await placedOrder(later, "cash");
    const sms = await ledgerEntry(later.customer.user.uid, PLACED, "sms");
    const report = { MessageSid: sms.providerId!, MessageStatus: "failed", ErrorCode: "21610", To: laterPhone, AccountSid: "AC00000000000000000000000000000000" };
    assert.equal(await twilioCallback(sms.id, report), 204);
    assert.ok((await admin().db.doc(`smsOptOuts/${keyedHash("phone", laterPhone)}`).get()).exists, "the report's opt-out is keyed too");
    assert.equal((await admin().db.doc(`smsOptOuts/${laterPhone}`).get()).exists, false);
  });

  it("flags a number cycled through many accounts, keeping no number or uid", async () => {
    const phone = randomPhone();
    const uids: string[] = [];
    // PHONE_ACCOUNTS_ALERT=2 in .env.local: the third account to hold the number raises the flag.
    for (let i = 0; i < 3; i++) {
      const user = await admin().auth.createUser({ phoneNumber: phone });
      uids.push(user.uid);
      await eventually(`profile ${i}`, async () => (await admin().db.doc(`users/${user.uid}`).get()).get("phoneVerified") === true);
      await eventually(`holder ${i}`, async () => ((await admin().db.doc(`phoneHolders/${keyedHash("phone", phone)}`).get()).get("accounts") as number | undefined) === i + 1);
      await admin().auth.deleteUser(user.uid);
    }
    const record = await admin().db.doc(`phoneHolders/${keyedHash("phone", phone)}`).get();
    assert.equal(record.get("flagged"), true);
    assert.deepEqual(Object.keys(record.get("holders")).sort(), uids.map((uid) => keyedHash("uid", uid)).sort());
    const text = JSON.stringify(record.data());
    assert.ok(!text.includes(phone.slice(1)) && uids.every((uid) => !text.includes(uid)), "no phone number, no uid");
    const flagged = await admin().db.collection("phoneHolders").where("flagged", "==", true).get();
    assert.ok(flagged.docs.some((d) => d.id === keyedHash("phone", phone)), "operators can list flagged numbers");
  });
});
