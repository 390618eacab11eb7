/**
 * The email channel end to end, through the emulator suite, the real nodemailer client and the
 * local SMTP sink: order updates by email for who switched it on, in their language, once
 * however often the event comes or the delivery is retried (even after a crash between the
 * send and the ledger); "try later" (4xx) retried; a refusal (5xx) recorded as failed.
 * Runs alone: it sets the fault plan.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { sweepLedger, LEASE_MS } from "../../src/notifications/ledger";
import { shortRef } from "../../src/notifications/templates";
import { admin } from "../support/emulators";
import { clearFaultPlan, faultReport, setFaultPlan } from "../support/faults";
import { emailsTo, failSmtp, ledgerEntry, profile, setPreferences, staffedKitchen } from "../support/notifications";
import { deliverAgain, eventually, outboxEvent, placedOrder } from "../support/workflow";

const PLACED = "orders.v1.placed";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A kitchen whose customer takes order updates by email only. */
async function emailKitchen(clients: { close(): Promise<void> }[]) {
  const k = await staffedKitchen();
  clients.push(k.staff, k.customer);
  await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: false, email: true } } });
  return { k, address: k.customer.user.email! };
}

describe("email notifications", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(clearFaultPlan);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("emails a customer who switched email on, in their language, once however often the event comes", async () => {
    const { k, address } = await emailKitchen(clients);
    await profile(k.customer.user.uid, { locale: "es" });
    const order = await placedOrder(k, "cash");

    const entry = await ledgerEntry(k.customer.user.uid, PLACED, "email");
    assert.equal(entry.status, "sent");
    assert.equal(entry.to, `${address[0]}…@example.test`, "the ledger keeps a masked address, never the whole one");
    const [email, ...more] = await emailsTo(address);
    assert.equal(more.length, 0);
    assert.equal(email.subject, `Pedido ${shortRef(order.orderId)} realizado`);
    assert.match(email.text, /El restaurante ha recibido tu pedido/);
    assert.equal(email.notificationId, entry.id, "the email names its ledger entry");
    assert.equal(entry.providerId, email.messageId);

    const event = await outboxEvent(order.orderId, PLACED);
    for (let i = 0; i < 3; i++) await deliverAgain(event);
    await eventually("the redeliveries to be processed", async () => (await admin().db.doc(`processedEvents/notifications-onOrderEvent__${event.eventId}`).get()).exists);
    await sleep(3000);
    assert.equal((await emailsTo(address)).length, 1, "one email however often the event came");
    const push = await ledgerEntry(k.customer.user.uid, PLACED, "push");
    assert.deepEqual([push.status, push.reason], ["skipped", "preference"], "push switched off");
  });

  it("never sends twice when the delivery is retried after the send, before the ledger heard of it", async () => {
    await setFaultPlan([{ point: "notifications.email.after-send", mode: "fail", times: 1 }]);
    const { k, address } = await emailKitchen(clients);
    await placedOrder(k, "cash");

    await eventually("the fault after the send", async () => (await faultReport()).injections["notifications.email.after-send fail"] === 1);
    await eventually("the email in the sink", async () => (await emailsTo(address)).length > 0);
    // The task failed after the send and the queue runs it again (2 s backoff); give it time.
    await sleep(8000);
    assert.equal((await emailsTo(address)).length, 1, "the retry found the claim and sent nothing");
    const claimed = await ledgerEntry(k.customer.user.uid, PLACED, "email", () => true);
    assert.deepEqual([claimed.status, claimed.attempts], ["sending", 1], "one claim; nobody knows yet how it ended");

    // The lease runs out: the outcome is unknown, listed for an operator, and still not resent.
    await sweepLedger(Date.now() + LEASE_MS + 1000);
    const swept = await ledgerEntry(k.customer.user.uid, PLACED, "email", () => true);
    assert.deepEqual([swept.status, swept.reason], ["unknown", "lease-expired"]);
    assert.equal((await emailsTo(address)).length, 1);
  });

  it("retries when the server says try later (4xx) and sends once it takes the email", async () => {
    const { k, address } = await emailKitchen(clients);
    await failSmtp({ to: address.replace(/[.+]/g, "\\$&"), code: 451, count: 1 });
    await placedOrder(k, "cash");

    const entry = await ledgerEntry(k.customer.user.uid, PLACED, "email", (e) => e.status === "sent");
    assert.ok((entry.attempts as number) >= 2, "sent on a later attempt, after the 451");
    assert.equal((await emailsTo(address)).length, 1);
  });

  it("records a permanent refusal (5xx) as failed, for an operator to see, and does not retry it", async () => {
    const { k, address } = await emailKitchen(clients);
    await failSmtp({ to: address.replace(/[.+]/g, "\\$&"), code: 550, count: 5 });
    await placedOrder(k, "cash");

    const entry = await ledgerEntry(k.customer.user.uid, PLACED, "email");
    assert.deepEqual([entry.status, entry.reason, entry.providerCode, entry.attempts], ["failed", "invalid-address", 550, 1]);
    const failed = await admin().db.collection("notifications").where("status", "==", "failed").where("channel", "==", "email").where("uid", "==", k.customer.user.uid).get();
    assert.equal(failed.size, 1, "listed by status, where an operator looks");
    assert.equal((await emailsTo(address)).length, 0);
  });
});
