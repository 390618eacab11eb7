/**
 * Order notifications end to end, through the emulator suite and the FCM and Twilio doubles:
 * who hears what on which channel, in their language, once; dead tokens cleaned up; critical
 * events escalated to SMS; Twilio's refusals handled as they mean; the hourly SMS cap; quiet
 * hours; and Twilio's signed status callbacks moving the ledger forward only.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { shortRef } from "../../src/notifications/templates";
import { keyedHash } from "../../src/shared/pseudonym";
import { admin, signInWithRole, verifyPhone } from "../support/emulators";
import { deliverAgain, eventually, orderWhere, outboxEvent, placedOrder, runTaskNow } from "../support/workflow";
import { failFcm, failTwilio, fcmToken, ledgerEntry, ledgerOf, profile, pushesTo, registerDevice, resetDoubles, setPreferences, smsOnlyKitchen, smsTo, staffedKitchen, twilioCallback } from "../support/notifications";

const PLACED = "orders.v1.placed";
const REJECTED = "orders.v1.rejected";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("order notifications", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(resetDoubles);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("tells the customer in Spanish and the staff in English, by push, once each however often the event comes", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    await profile(k.customer.user.uid, { locale: "es" });
    const customerPhone = await registerDevice(k.customer);
    const customerTablet = await registerDevice(k.customer);
    const staffPhone = await registerDevice(k.staff);

    const order = await placedOrder(k, "cash");
    const push = await ledgerEntry(k.customer.user.uid, PLACED, "push");
    assert.equal(push.status, "sent");
    assert.equal(push.providerIds?.length, 2, "both of the customer's devices");
    assert.equal(push.title, `Pedido ${shortRef(order.orderId)} realizado`);
    const staffPush = await ledgerEntry(k.staff.user.uid, PLACED, "push");
    assert.equal(staffPush.title, `New order ${shortRef(order.orderId)}`);
    assert.equal(staffPush.body, "2 items. Open the board to see it.", "no catalog text in a message");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([sms.status, sms.reason], ["skipped", "preference"]);

    const event = await outboxEvent(order.orderId, PLACED);
    for (let i = 0; i < 3; i++) await deliverAgain(event);
    await eventually("the redeliveries to be processed", async () => {
      const handled = await admin().db.doc(`processedEvents/notifications-onOrderEvent__${event.eventId}`).get();
      return handled.exists;
    });
    await sleep(3000);
    for (const token of [customerPhone, customerTablet, staffPhone]) {
      const placed = (await pushesTo(token)).filter((m) => m.data.orderId === order.orderId && m.data.type === PLACED);
      assert.equal(placed.length, 1, `one push to ${token.slice(0, 12)}…`);
    }
    const entries = (await ledgerOf(k.customer.user.uid, PLACED)).map((e) => `${e.channel}:${e.status}`).sort();
    assert.deepEqual(entries, ["email:skipped", "push:sent", "sms:skipped"]);
  });

  it("removes devices FCM calls unregistered or invalid, keeps the rest, and retries a quota error", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    const good = await registerDevice(k.customer);
    await registerDevice(k.customer, fcmToken("unregistered"));
    await registerDevice(k.customer, fcmToken("invalid"));
    await failFcm({ token: good, error: "quota", count: 1 });

    await placedOrder(k, "cash");
    const push = await ledgerEntry(k.customer.user.uid, PLACED, "push", (e) => e.status === "sent");
    assert.ok((push.attempts as number) >= 2, "sent on a later attempt, after the quota error");
    assert.equal((await pushesTo(good)).length, 1, "one push to the working device");
    const devices = await admin().db.collection("devices").where("uid", "==", k.customer.user.uid).get();
    assert.deepEqual(devices.docs.map((d) => d.get("token")), [good], "the dead tokens are gone, the good one stays");
    const targets = await admin().db.doc(`pushTargets/${k.customer.user.uid}`).get();
    assert.deepEqual(Object.values(targets.get("devices")), [good]);
  });

  it("escalates a critical event to SMS when push cannot reach the customer", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    const phone = await verifyPhone(k.customer);
    await profile(k.customer.user.uid, { locale: "es" });
    const order = await placedOrder(k, "cash");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "out-of-stock" });

    const push = await ledgerEntry(k.customer.user.uid, REJECTED, "push");
    assert.deepEqual([push.status, push.reason], ["skipped", "no-device"]);
    const sms = await ledgerEntry(k.customer.user.uid, REJECTED, "sms");
    assert.deepEqual([sms.status, sms.escalated], ["queued", true]);
    const [text] = await smsTo(phone);
    assert.match(text.body, /no ha podido aceptar tu pedido/);
    assert.match(text.body, /Se ha agotado algo de lo que pediste\./, "the reason code, as a sentence in the customer's language");
    assert.doesNotMatch(text.body, /out-of-stock|Limited dish/);
    assert.equal(text.sid, sms.providerId);
    // Not critical: the placed message stays push-only (and there is no device).
    const placedSms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([placedSms.status, placedSms.reason], ["skipped", "preference"]);
  });

  it("follows preferences: SMS only when push is off, nothing when both are off", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    await verifyPhone(k.customer);
    const token = await registerDevice(k.customer);
    await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: true } } });
    await placedOrder(k, "cash");
    assert.equal((await ledgerEntry(k.customer.user.uid, PLACED, "sms")).status, "queued");
    assert.deepEqual(((await ledgerEntry(k.customer.user.uid, PLACED, "push")) as { reason: string }).reason, "preference");
    assert.equal((await pushesTo(token)).length, 0);

    const quiet = await staffedKitchen();
    clients.push(quiet.staff, quiet.customer);
    await verifyPhone(quiet.customer);
    await registerDevice(quiet.customer);
    await setPreferences(quiet.customer, { channels: { orderUpdates: { push: false, sms: false } } });
    const order = await placedOrder(quiet, "cash");
    await quiet.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "kitchen-closed" });
    const rejectedSms = await ledgerEntry(quiet.customer.user.uid, REJECTED, "sms");
    assert.deepEqual([rejectedSms.status, rejectedSms.reason], ["skipped", "preference"], "even a critical event respects an opt-out");
  });

  it("marks a phone that answered STOP and never texts it again; does not retry an invalid number", async () => {
    const { k, phone } = await smsOnlyKitchen(clients);
    await failTwilio({ to: `\\${phone}`, status: 400, code: 21610, count: 1 });
    const order = await placedOrder(k, "cash");
    const refused = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([refused.status, refused.reason, refused.providerCode], ["failed", "opted-out", 21610]);
    const optOut = await admin().db.doc(`smsOptOuts/${keyedHash("phone", phone)}`).get();
    assert.ok(optOut.exists, "the phone is marked opted out, by its keyed hash");
    assert.ok(!JSON.stringify(optOut.data()).includes(phone.slice(1)), "no phone number stored in the opt-out");
    assert.equal((await admin().db.doc(`smsOptOuts/${phone}`).get()).exists, false, "nothing keyed by the raw number");

    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "kitchen-closed" });
    const next = await ledgerEntry(k.customer.user.uid, REJECTED, "sms");
    assert.deepEqual([next.status, next.reason], ["skipped", "opted-out"]);
    assert.equal((await smsTo(phone)).length, 0, "nothing reached Twilio for the opted-out phone");

    const { k: invalid, phone: badPhone } = await smsOnlyKitchen(clients);
    await failTwilio({ to: `\\${badPhone}`, status: 400, code: 21614, count: 5 });
    await placedOrder(invalid, "cash");
    const failed = await ledgerEntry(invalid.customer.user.uid, PLACED, "sms");
    assert.deepEqual([failed.status, failed.reason, failed.attempts], ["failed", "invalid-number", 1], "one attempt, no retry");
  });

  it("retries Twilio's rate limiting with backoff and sends once", async () => {
    const { k, phone } = await smsOnlyKitchen(clients);
    await failTwilio({ to: `\\${phone}`, status: 429, code: 20429, count: 2 });
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms", (e) => e.status === "queued", 60_000);
    assert.equal(sms.attempts, 3, "two refusals, then sent");
    assert.equal((await smsTo(phone)).length, 1);
    const hour = new Date().toISOString().slice(0, 13).replace(/\D/g, "");
    const usage = await admin().db.doc(`smsUsage/${k.customer.user.uid}_${hour}`).get();
    assert.equal(usage.get("count"), 1, "refused attempts do not count against the cap");
  });

  it("caps SMS per user per hour", async () => {
    const { k, phone } = await smsOnlyKitchen(clients);
    const hour = new Date().toISOString().slice(0, 13).replace(/\D/g, "");
    // Five already sent this hour (SMS_PER_USER_PER_HOUR=5 in functions/.env.local).
    await admin().db.doc(`smsUsage/${k.customer.user.uid}_${hour}`).set({ uid: k.customer.user.uid, count: 5 });
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    assert.deepEqual([sms.status, sms.reason], ["skipped", "hourly-cap"]);
    assert.equal((await smsTo(phone)).length, 0);
  });

  it("holds a refund notice during quiet hours but sends order progress at once", async () => {
    const k = await staffedKitchen();
    clients.push(k.staff, k.customer);
    const token = await registerDevice(k.customer);
    // Quiet from an hour ago to an hour from now, in the customer's zone (UTC).
    const clock = (offsetHours: number) => new Date(Date.now() + offsetHours * 3_600_000).toISOString().slice(11, 16);
    await profile(k.customer.user.uid, { timeZone: "UTC" });
    await setPreferences(k.customer, { quietHours: { start: clock(-1), end: clock(1) } });
    const order = await placedOrder(k, "card");
    assert.equal((await ledgerEntry(k.customer.user.uid, PLACED, "push")).status, "sent", "urgent: not held");

    const adminClient = await signInWithRole("admin");
    clients.push(adminClient);
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.payment.status === "captured");
    await adminClient.call(CALLABLES.adminOrderAction, { orderId: order.orderId, action: "cancel", reason: "restaurant-request", note: "Kitchen fire" });
    const held = await ledgerEntry(k.customer.user.uid, "orders.v1.refunded", "push", (e) => e.status === "deferred", 60_000);
    const until = (held.deferredUntil as FirebaseFirestore.Timestamp).toDate();
    assert.ok(Math.abs(until.getTime() - (Date.now() + 3_600_000)) < 5 * 60_000, `deferred to the end of quiet hours, got ${until.toISOString()}`);
    assert.equal((await pushesTo(token)).filter((m) => m.data.type === "orders.v1.refunded").length, 0);

    // What the queue delivers when quiet hours end.
    const request = (await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.refunded").get()).docs[0];
    await runTaskNow("notifications-deliver", { kind: "order", requestId: request.id, audience: "customer", uid: k.customer.user.uid, afterQuietHours: true }, order.correlationId);
    await ledgerEntry(k.customer.user.uid, "orders.v1.refunded", "push", (e) => e.status === "sent");
    assert.equal((await pushesTo(token)).filter((m) => m.data.type === "orders.v1.refunded").length, 1);
  });
});

describe("Twilio status callbacks", () => {
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("accepts signed reports, ignores duplicates and late ones, and refuses bad signatures with 403", async () => {
    const { k, phone } = await smsOnlyKitchen(clients);
    await placedOrder(k, "cash");
    const sms = await ledgerEntry(k.customer.user.uid, PLACED, "sms");
    const [sent] = await smsTo(phone);
    assert.ok(sent.status_callback?.endsWith(`?message=${encodeURIComponent(sms.id)}`), "the callback URL names the message");
    const report = (status: string) => ({ MessageSid: sms.providerId!, MessageStatus: status, To: phone, AccountSid: "AC00000000000000000000000000000000" });
    const statusNow = async () => (await admin().db.doc(`notifications/${sms.id}`).get()).get("status");

    assert.equal(await twilioCallback(sms.id, report("delivered"), "not-the-auth-token"), 403);
    assert.equal(await twilioCallback(sms.id, report("delivered"), undefined, ""), 403, "no signature at all");
    assert.equal(await statusNow(), "queued", "refused reports change nothing");

    assert.equal(await twilioCallback(sms.id, report("sent")), 204);
    assert.equal(await statusNow(), "sent");
    assert.equal(await twilioCallback(sms.id, report("delivered")), 204);
    assert.equal(await twilioCallback(sms.id, report("delivered")), 204, "a duplicate is acknowledged");
    assert.equal(await twilioCallback(sms.id, report("sent")), 204, "a late report is acknowledged");
    assert.equal(await statusNow(), "delivered", "and neither moves the message back");
  });
});
