/**
 * The invariant auditor against the emulator suite: an order that went through the workflow
 * leaves nothing to report; then each kind of violation is planted (documents written directly,
 * sends and captures made at the doubles) and the auditor must name it. Every audit is scoped to
 * the test's own restaurants, orders and codes: the emulator holds other tests' data too.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Timestamp } from "firebase-admin/firestore";
import { auditInvariants, type AuditOptions, type AuditReport } from "../../src/audit/invariants";
import { customerIdentities, definePromotion, planPromotionUse } from "../../src/checkout/promotions.service";
import { CALLABLES } from "../../src/contract/callables";
import { stripeClient } from "../../src/payments/stripe.gateway";
import { confirmPayment, restaurantWithStock, STRIPE_DOUBLE } from "../support/checkout";
import { admin, randomPhone } from "../support/emulators";
import { FCM_DOUBLE, fcmToken, TWILIO_DOUBLE } from "../support/notifications";
import { courierAt, eventually, kitchen, orderWhere, placedOrder, type Kitchen, type PlacedOrder } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");
const stripe = stripeClient("sk_test_local_double", STRIPE_DOUBLE);
const minutesAgo = (minutes: number) => Timestamp.fromMillis(Date.now() - minutes * 60_000);

function audit(scope: AuditOptions["scope"], options: Partial<AuditOptions> = {}): Promise<AuditReport> {
  return auditInvariants(admin().db, { scope, stripe, providerDoubles: { fcm: FCM_DOUBLE, twilio: TWILIO_DOUBLE }, ...options });
}

const about = (report: AuditReport, check: string, path: string) => report.violations.filter((v) => v.check === check && v.path === path);

/** An order document written directly, as the workflow would leave it. */
async function plantOrder(fields: Record<string, unknown>): Promise<string> {
  const ref = admin().db.collection("orders").doc();
  await ref.set({ restaurantId: `audit-${randomUUID()}`, customerUid: "audit-customer", total: { amount: 1000, currency: "EUR" }, paymentMethod: "cash", payment: { provider: "cash", status: "pending_cash" }, status: "refunded", updatedAt: Timestamp.now(), ...fields });
  return ref.id;
}

describe("invariant auditor", () => {
  let k: Kitchen;
  let order: PlacedOrder;
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  before(async () => {
    k = await kitchen();
    const courier = await courierAt(k.location);
    clients.push(k.staff, k.customer, courier);
    order = await placedOrder(k, "card");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    // A shared machine can be slow to start the workers of the first order's handlers.
    await orderWhere(order.orderId, (o) => o.payment.status === "captured", 180_000);
    await eventually("stock sold", async () => (await admin().db.doc(`stockReservations/${order.orderId}`).get()).get("status") === "committed", 180_000);
    await eventually("every event published", async () => {
      const records = await admin().db.collection("outbox").where("orderId", "==", order.orderId).get();
      return records.docs.every((r) => r.get("publishedAt"));
    }, 180_000);
  });

  it("finds nothing wrong with an order that went through the workflow", async () => {
    const report = await audit({ restaurantIds: [k.restaurantId], orderIds: [order.orderId] });
    assert.deepEqual(report.violations, []);
    const checked = Object.fromEntries(report.checks.map((c) => [c.name, c.checked]));
    assert.equal(checked["stock-conservation"], 1, "the kitchen's one tracked item");
    assert.equal(checked.payments, 1, "its card order, read from Stripe");
    assert.ok(checked["orders-followed-up"] >= 1);
  });

  it("names an item whose shards no longer add up, and a negative shard", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(10);
    const root = `inventory/${restaurantId}__${itemId}`;
    assert.deepEqual((await audit({ restaurantIds: [restaurantId] })).violations, [], "clean before the change");
    await admin().db.doc(`${root}/shards/0`).set({ available: 4 }); // was 1: three units appeared
    await admin().db.doc(`${root}/shards/1`).set({ available: -1 }); // was 1: two units vanished, one of them below zero

    const report = await audit({ restaurantIds: [restaurantId] });
    const [mismatch] = about(report, "stock-conservation", root);
    assert.deepEqual(mismatch.figures, { available: 11, reserved: 0, sold: 0, stocked: 10, difference: 1 });
    assert.equal(about(report, "stock-conservation", `${root}/shards/1`).length, 1);
  });

  it("names a promotion whose redemption went missing, and the user's count", async () => {
    const code = `AUDIT${randomUUID().slice(0, 8).toUpperCase()}`;
    await definePromotion({ code, kind: "amount", value: 100, currency: "EUR", minSubtotal: 0, perUserLimit: 2, globalLimit: 5, active: true, startsAt: new Date(Date.now() - 60_000), expiresAt: new Date(Date.now() + 3_600_000) });
    const orderId = `audit-${randomUUID()}`;
    const customer = { uid: "audit-user", verifiedPhone: "+34600000099" };
    await admin().db.runTransaction(async (tx) => (await planPromotionUse(tx, code, customer, orderId))());
    assert.deepEqual((await audit({ promoCodes: [code] })).violations, [], "one use, counted everywhere");

    await admin().db.doc(`promoRedemptions/${orderId}`).delete();
    const report = await audit({ promoCodes: [code] });
    assert.deepEqual(about(report, "promo-conservation", `promotions/${code}`)[0].figures, { left: 4, used: 0, globalLimit: 5, difference: -1 });
    // Counted per identity: the account and the verified phone, each a keyed pseudonym.
    for (const identity of customerIdentities(customer)) {
      assert.deepEqual(about(report, "promo-conservation", `promotions/${code}/uses/${identity}`)[0].figures, { used: 1, redemptions: 0 });
    }
  });

  it("names two orders made by one checkout", async () => {
    const key = `audit-key-${randomUUID()}`;
    const first = await plantOrder({ checkoutKey: key });
    const second = await plantOrder({ checkoutKey: key });
    const single = await plantOrder({ checkoutKey: `audit-key-${randomUUID()}` });

    const report = await audit({ orderIds: [first, single] });
    const [violation] = about(report, "one-order-per-key", `idempotencyKeys/${key}`);
    assert.deepEqual(violation.figures.orders?.toString().split(" ").sort(), [first, second].sort());
    assert.equal(report.violations.filter((v) => v.check === "one-order-per-key").length, 1, "the order alone with its key is fine");
  });

  it("names a card order captured twice at Stripe, for more than its total", async () => {
    const orderId = await plantOrder({ paymentMethod: "card", payment: { provider: "stripe", status: "captured" } });
    const intents = [];
    for (const attempt of [1, 2]) {
      const intent = await stripe.paymentIntents.create({ amount: 1000, currency: "eur", capture_method: "manual", metadata: { orderId } }, { idempotencyKey: `audit-${orderId}-${attempt}` });
      await confirmPayment(intent.id, "authorized");
      await stripe.paymentIntents.capture(intent.id);
      intents.push(intent.id);
    }
    await admin().db.doc(`orders/${orderId}`).update({ "payment.intentId": intents[0] });

    const report = await audit({ orderIds: [orderId] });
    const problems = about(report, "payments", `orders/${orderId}`).map((v) => v.problem);
    assert.deepEqual(problems, ["2 PaymentIntents captured for one order", "captured more than the order total"]);
    assert.equal(about(report, "payments", `orders/${orderId}`)[0].figures.captured, 2000);
  });

  it("names a push sent twice for one ledger entry, an SMS sent twice, and an entry sent without a provider id", async () => {
    const orderId = `audit-${randomUUID()}`;
    const token = fcmToken();
    const push = `evt-${randomUUID()}__push__audit-user`;
    await admin().db.doc(`notifications/${push}`).set({ channel: "push", status: "sent", orderId, providerIds: ["projects/demo/messages/1"] });
    for (let i = 0; i < 2; i += 1) {
      await fetch(`${FCM_DOUBLE}/v1/projects/demo-food-delivery/messages:send`, {
        method: "POST",
        headers: { authorization: "Bearer local-double-token", "content-type": "application/json" },
        body: JSON.stringify({ message: { token, notification: { title: "Ready", body: "Your order is ready" }, data: { orderId, notificationId: push } } }),
      });
    }
    const phone = randomPhone();
    const sids: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const response = await fetch(`${TWILIO_DOUBLE}/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from("AC00000000000000000000000000000000:local_double_auth_token").toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ To: phone, Body: "Order ready: come and get it", MessagingServiceSid: "MG00000000000000000000000000000000" }).toString(),
      });
      sids.push(((await response.json()) as { sid: string }).sid);
    }
    const sms = `evt-${randomUUID()}__sms__audit-user`;
    await admin().db.doc(`notifications/${sms}`).set({ channel: "sms", status: "queued", orderId, providerId: sids[1] });
    const bare = `evt-${randomUUID()}__push__audit-user`;
    await admin().db.doc(`notifications/${bare}`).set({ channel: "push", status: "sent", orderId, providerIds: [] });

    const report = await audit({ orderIds: [orderId] });
    assert.equal(about(report, "one-notification-per-recipient", `notifications/${push}`)[0].figures.messages, 2);
    assert.deepEqual(about(report, "one-notification-per-recipient", `notifications/${sms}`)[0].figures.messages, 2);
    assert.match(about(report, "one-notification-per-recipient", `notifications/${bare}`)[0].problem, /without the provider's message id/);
    assert.equal(report.violations.length, 3);
  });

  it("names a ledger entry left sending past its lease, not one sending now", async () => {
    const orderId = `audit-${randomUUID()}`;
    const stuck = `evt-${randomUUID()}__push__audit-user`;
    const busy = `evt-${randomUUID()}__push__audit-user`;
    await admin().db.doc(`notifications/${stuck}`).set({ channel: "push", status: "sending", orderId, createdAt: minutesAgo(30), updatedAt: minutesAgo(30) });
    await admin().db.doc(`notifications/${busy}`).set({ channel: "push", status: "sending", orderId, createdAt: Timestamp.now(), updatedAt: Timestamp.now() });

    const report = await audit({ orderIds: [orderId] });
    assert.equal(about(report, "no-stuck-sending", `notifications/${stuck}`).length, 1);
    assert.equal(about(report, "no-stuck-sending", `notifications/${busy}`).length, 0);
    assert.equal(report.checks.find((c) => c.name === "no-stuck-sending")?.checked, 2);
  });

  it("names an outbox record the trigger and the sweep both missed", async () => {
    const record = (await admin().db.collection("outbox").where("orderId", "==", order.orderId).limit(1).get()).docs[0];
    await record.ref.update({ publishedAt: null, createdAt: minutesAgo(20) });

    const report = await audit({ orderIds: [order.orderId] }, { only: ["outbox-published"] });
    assert.deepEqual(report.violations.map((v) => v.path), [`outbox/${record.id}`]);
  });

  it("names an order whose follow-up never came, not one still on time", async () => {
    const stalled = await plantOrder({ status: "placed", acceptBy: minutesAgo(15), updatedAt: minutesAgo(25) });
    const onTime = await plantOrder({ status: "placed", acceptBy: Timestamp.fromMillis(Date.now() + 5 * 60_000), updatedAt: Timestamp.now() });

    const report = await audit({ orderIds: [stalled, onTime] });
    assert.deepEqual(
      report.violations.filter((v) => v.check === "orders-followed-up").map((v) => [v.path, v.problem]),
      [[`orders/${stalled}`, "acceptance-deadline-not-enforced"]],
    );
  });

  it("lists an open dead letter, not a resolved one", async () => {
    const orderId = `audit-${randomUUID()}`;
    const letter = (status: string) => ({ handler: "payments-settlePayment", source: "task", eventId: randomUUID(), payload: { data: { orderId } }, error: { name: "Error", message: "Stripe unavailable" }, attempts: 5, status, recordedAt: Timestamp.now() });
    const open = await admin().db.collection("deadLetters").add(letter("open"));
    await admin().db.collection("deadLetters").add(letter("resolved"));

    const report = await audit({ orderIds: [orderId] });
    assert.deepEqual(report.violations.map((v) => [v.check, v.path]), [["dead-letters-open", `deadLetters/${open.id}`]]);
  });

  it("lists a delivery that keeps contact data after its order ended", async () => {
    const delivered = await plantOrder({ status: "delivered", updatedAt: minutesAgo(10) });
    const onTheWay = await plantOrder({ status: "picked_up" });
    const strippedDelivered = await plantOrder({ status: "delivered", updatedAt: minutesAgo(10) });
    const contact = { name: "Lucía Pérez", phone: "+34600123456", address: { line1: "Calle Mayor 1" } };
    await admin().db.doc(`deliveries/${delivered}`).set({ orderId: delivered, courierUid: "c1", status: "open", ...contact });
    await admin().db.doc(`deliveries/${onTheWay}`).set({ orderId: onTheWay, courierUid: "c1", status: "open", ...contact });
    await admin().db.doc(`deliveries/${strippedDelivered}`).set({ orderId: strippedDelivered, courierUid: "c1", status: "closed", phone: contact.phone });

    const report = await audit({ orderIds: [delivered, onTheWay, strippedDelivered] }, { only: ["delivery-contact-closed"] });
    assert.deepEqual(
      report.violations.map((v) => [v.path, v.problem]).sort(),
      [
        [`deliveries/${delivered}`, "delivery still open after its order ended"],
        [`deliveries/${strippedDelivered}`, "closed delivery keeps contact data"],
      ].sort(),
    );
  });

  it("runs as a script: one line per violation, a summary per check, exit status 1", async () => {
    const stalled = await plantOrder({ status: "placed", acceptBy: minutesAgo(15), updatedAt: minutesAgo(25) });
    const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "audit-invariants.ts"), ...args], { cwd: REPO, encoding: "utf8" });

    const failing = run("--order", stalled);
    assert.equal(failing.status, 1, failing.stderr);
    const lines = failing.stdout.trim().split("\n");
    assert.ok(lines.some((l) => l.startsWith(`orders-followed-up  orders/${stalled}  acceptance-deadline-not-enforced  (status=placed`)), failing.stdout);
    assert.match(failing.stdout, /^orders-followed-up\s+checked 1\s+violations 1$/m);
    assert.equal(lines.at(-1), "violations 1");

    const clean = run("--restaurant", k.restaurantId, "--only", "stock-conservation,payments", "--json");
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    const json = JSON.parse(clean.stdout) as AuditReport;
    assert.deepEqual(json.checks.map((c) => [c.name, c.checked, c.violations]), [["stock-conservation", 1, 0], ["payments", 1, 0]]);
  });
});
