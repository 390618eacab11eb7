/**
 * The order workflow end to end on the emulator suite: checkout, payment, the restaurant's and
 * the courier's moves through the callables, and everything the events do on the way (capture,
 * stock, the restaurant board, courier dispatch, notification requests), all under the
 * checkout's correlation id. Then the moves people may not make, and the ways an order ends early.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { TASK_QUEUES } from "../../src/shared/task-queues";
import { admin, callError, signInWithRole, signUp, waitForDocument, payload } from "../support/emulators";
import { stockLeft } from "../support/checkout";
import { courierAt, eventually, failStripe, intentAt, intentCalls, kitchen, orderWhere, placedOrder, resetStripeFailures, runTaskNow } from "../support/workflow";

const reservation = async (orderId: string) => (await admin().db.doc(`stockReservations/${orderId}`).get()).get("status") as string;
const boardEntry = (restaurantId: string, orderId: string) => admin().db.doc(`restaurantBoards/${restaurantId}/openOrders/${orderId}`).get();

describe("order workflow", () => {
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("takes a card order from checkout to the customer's door", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const courier = await courierAt(k.location);
    const farther = await courierAt(k.location, 2);
    clients.push(courier, farther);
    const order = await placedOrder(k, "card");
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 18, "reserved at checkout");

    // The restaurant's board shows the new order, read live through the rules as staff.
    const entry = await waitForDocument(k.staff.firestore, `restaurantBoards/${k.restaurantId}/openOrders/${order.orderId}`, (d) => d?.status === "placed", 60_000);
    assert.deepEqual(entry.items, [{ name: "Limited dish", quantity: 2 }]);

    assert.deepEqual(payload(await k.staff.call<object>(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" })), { orderId: order.orderId, status: "accepted" });
    // Accepting captures the held money once, sells the stock, and offers the order to the nearest courier.
    const accepted = await orderWhere(order.orderId, (o) => o.payment.status === "captured" && o.dispatch?.status === "offered");
    assert.equal(accepted.dispatch.offer.courierUid, courier.user.uid, "the nearest courier first");
    assert.equal((await intentAt(order.intentId!)).amount_received, order.total);
    assert.equal((await intentCalls(order.intentId!, "capture")).length, 1);
    await eventually("stock committed", async () => (await reservation(order.orderId)) === "committed");
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 18);

    const offer = await waitForDocument(courier.firestore, `couriers/${courier.user.uid}`, (d) => d?.offer?.orderId === order.orderId);
    assert.equal(offer.offer.restaurantId, k.restaurantId);
    const offered = async () => (await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.courier-offered").get()).docs;
    await eventually("the courier is asked", async () => (await offered())[0]?.get("courierUid") === courier.user.uid);
    await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "accept" });
    for (const action of ["preparing", "ready"]) await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action });
    await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "picked_up" });
    await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "delivered" });

    // The customer watches their order arrive through a listener.
    const delivered = await waitForDocument(k.customer.firestore, `orders/${order.orderId}`, (d) => d?.status === "delivered");
    assert.deepEqual(
      delivered.history.map((h: { to: string; byKind: string }) => `${h.byKind}:${h.to}`),
      ["customer:awaiting_payment", "system:placed", "staff:accepted", "staff:preparing", "staff:ready", "courier:picked_up", "courier:delivered"],
    );
    assert.equal(delivered.courier.uid, courier.user.uid);
    await eventually("board entry removed", async () => !(await boardEntry(k.restaurantId, order.orderId)).exists);
    await eventually("courier freed", async () => (await admin().db.doc(`couriers/${courier.user.uid}`).get()).get("activeOrderId") === null);

    // One correlation id from checkout to door: history, every event, notification request and ledger entry.
    assert.ok(delivered.history.every((h: { correlationId: string }) => h.correlationId === order.correlationId));
    const events = await admin().db.collection("outbox").where("orderId", "==", order.orderId).get();
    assert.ok(events.size >= 9, `events: ${events.size}`);
    assert.ok(events.docs.every((e) => e.get("correlationId") === order.correlationId));
    const requests = await eventually("the delivered notification request", async () => {
      const found = await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).get();
      return found.docs.some((r) => r.get("type") === "orders.v1.delivered") && found;
    });
    assert.ok(requests.docs.every((r) => r.get("correlationId") === order.correlationId));
    await eventually("the customer in the restaurant's promotion audience", async () => (await admin().db.doc(`restaurantAudiences/${k.restaurantId}/customers/${k.customer.user.uid}`).get()).exists);
    const ledger = await admin().db.collection("processedEvents").where("eventId", "in", events.docs.slice(0, 10).map((e) => e.id)).get();
    assert.ok(ledger.size > 0, "handlers recorded the events");
    assert.deepEqual(ledger.docs.filter((l) => l.get("correlationId") !== order.correlationId).map((l) => `${l.id}: ${l.get("correlationId")}`), []);
    assert.ok(!(await admin().db.doc(`orders/${order.orderId}`).get()).get("attention"));
  });

  it("refuses moves by people who are not party to the order, changing nothing", async () => {
    const k = await kitchen();
    const otherStaff = await signInWithRole("staff", ["some-other-restaurant"]);
    const otherCustomer = await signUp();
    const courier = await courierAt(k.location);
    const otherCourier = await signInWithRole("courier");
    clients.push(k.staff, k.customer, otherStaff, otherCustomer, courier, otherCourier);
    const order = await placedOrder(k, "cash");

    const denied = [
      await callError(otherStaff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" })),
      await callError(otherCustomer.call(CALLABLES.cancelOrder, { orderId: order.orderId })),
      await callError(k.customer.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" })),
      await callError(k.customer.call(CALLABLES.adminOrderAction, { orderId: order.orderId, action: "cancel", reason: "other" })),
    ];
    assert.deepEqual(denied.map((e) => e.code), Array(4).fill("functions/permission-denied"));
    assert.deepEqual(denied.map((e) => e.details.reason), ["not-your-order", "not-your-order", "role-required", "role-required"]);

    const invalid = await callError(k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "teleport" }));
    assert.equal(invalid.code, "functions/invalid-argument");
    assert.deepEqual((invalid.details.fields as { path: string }[]).map((f) => f.path), ["action"]);

    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
    const notYourOffer = await callError(otherCourier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "accept" }));
    assert.deepEqual([notYourOffer.code, notYourOffer.details.reason], ["functions/permission-denied", "not-your-offer"]);
    await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "accept" });
    for (const action of ["preparing", "ready"]) await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action });
    const notYours = await callError(otherCourier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "picked_up" }));
    assert.deepEqual([notYours.code, notYours.details.reason], ["functions/permission-denied", "not-your-order"]);
    const tooLate = await callError(k.customer.call(CALLABLES.cancelOrder, { orderId: order.orderId }));
    assert.deepEqual([tooLate.code, tooLate.details.reason], ["functions/failed-precondition", "not-your-move"]);
    const outOfOrder = await callError(courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "delivered" }));
    assert.deepEqual([outOfOrder.code, outOfOrder.details.reason], ["functions/failed-precondition", "invalid-transition"]);

    const unchanged = (await admin().db.doc(`orders/${order.orderId}`).get()).data()!;
    assert.equal(unchanged.status, "ready");
    assert.equal(unchanged.courierUid, courier.user.uid);
  });

  it("gives stock and money back when the customer cancels before acceptance", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    assert.deepEqual(payload(await k.customer.call<object>(CALLABLES.cancelOrder, { orderId: order.orderId, reason: "changed-mind" })), { orderId: order.orderId, status: "cancelled" });
    const cancelled = await orderWhere(order.orderId, (o) => o.payment.status === "canceled");
    assert.equal(cancelled.status, "cancelled");
    assert.equal((await intentAt(order.intentId!)).status, "canceled");
    assert.equal((await intentCalls(order.intentId!, "capture")).length, 0);
    await eventually("stock released", async () => (await reservation(order.orderId)) === "released");
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 20);
    await eventually("customer told", async () => (await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.cancelled").get()).size === 1);
  });

  it("releases stock and the hold when the restaurant rejects", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "out-of-stock" });
    const rejected = await orderWhere(order.orderId, (o) => o.payment.status === "canceled");
    assert.equal(rejected.status, "rejected");
    assert.equal(rejected.rejection.reason, "out-of-stock");
    await eventually("stock released", async () => (await reservation(order.orderId)) === "released");
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 20);
    await eventually("board entry removed", async () => !(await boardEntry(k.restaurantId, order.orderId)).exists);
  });

  it("refunds an order an admin force-cancels after capture; the order ends refunded", async () => {
    const k = await kitchen();
    const adminUser = await signInWithRole("admin");
    clients.push(k.staff, k.customer, adminUser);
    const order = await placedOrder(k, "card");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.payment.status === "captured");
    // Stripe refunds, but its answer is lost: the retried settlement must not audit (or refund) twice.
    await failStripe({ path: "^/v1/refunds$", status: 503, count: 1, afterEffect: true });
    await adminUser.call(CALLABLES.adminOrderAction, { orderId: order.orderId, action: "cancel", reason: "restaurant-request" });
    const refunded = await orderWhere(order.orderId, (o) => o.status === "refunded");
    await resetStripeFailures();
    assert.equal(refunded.payment.status, "refunded");
    assert.equal(refunded.payment.amountRefunded, order.total);
    assert.equal((await intentCalls(order.intentId!, "refunds")).length, 1);
    assert.equal((await intentAt(order.intentId!)).amount_refunded, order.total);
    assert.equal(await reservation(order.orderId), "committed", "the kitchen had started: stock stays sold");
    const audit = await admin().db.collection("auditLog").where("orderId", "==", order.orderId).get();
    const entries = Object.fromEntries(audit.docs.map((d) => [d.get("action") as string, d.data()]));
    assert.deepEqual(audit.docs.map((d) => d.get("action")).sort(), ["order.cancel", "payment.refund"], "one entry for the cancel, one for the refund");
    const cancelled = (await admin().db.collection("outbox").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.cancelled").get()).docs;
    assert.equal(entries["order.cancel"].eventId, cancelled[0]?.id, "written with the move it records");
    assert.equal(entries["payment.refund"].outcome, "refunded");
    assert.equal(entries["payment.refund"].amount, order.total);
  });

  it("cancels and releases an order the restaurant leaves unanswered; a moved-on order is left alone", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const [stale, answered] = [await placedOrder(k, "card"), await placedOrder(k, "cash")];
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: answered.orderId, action: "accept" });
    await runTaskNow(TASK_QUEUES.enforceAcceptanceDeadline, { orderId: stale.orderId }, stale.correlationId);
    await runTaskNow(TASK_QUEUES.enforceAcceptanceDeadline, { orderId: answered.orderId }, answered.correlationId);
    const cancelled = await orderWhere(stale.orderId, (o) => o.status === "cancelled" && o.payment.status === "canceled");
    assert.equal(cancelled.cancellation.reason, "restaurant-did-not-accept");
    await eventually("stock released", async () => (await reservation(stale.orderId)) === "released");
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await admin().db.doc(`orders/${answered.orderId}`).get()).get("status"), "accepted");
  });

  it("offers the next courier when one declines or does not answer, escalates, then cancels and gives the money back", async () => {
    const k = await kitchen();
    const first = await courierAt(k.location, 0.1);
    const second = await courierAt(k.location, 0.5);
    clients.push(k.staff, k.customer, first, second);
    const order = await placedOrder(k, "card");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === first.user.uid);
    await first.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "decline" });
    const second_ = await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === second.user.uid);
    // The second does not answer: the offer lapses (its task, run now) and nobody is left.
    await runTaskNow(TASK_QUEUES.expireCourierOffer, { orderId: order.orderId, courierUid: second.user.uid, number: second_.dispatch.offer.number }, order.correlationId);
    await orderWhere(order.orderId, (o) => o.dispatch.status === "searching" && o.dispatch.offer === null);
    const lapsed = await callError(second.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "accept" }));
    assert.deepEqual([lapsed.code, lapsed.details.reason], ["functions/failed-precondition", "offer-expired"]);

    await runTaskNow(TASK_QUEUES.escalateDispatch, { orderId: order.orderId, level: 1 }, order.correlationId);
    const escalated = await orderWhere(order.orderId, (o) => o.attention?.reason === "no-courier");
    assert.equal(escalated.dispatch.escalated, true);
    await runTaskNow(TASK_QUEUES.escalateDispatch, { orderId: order.orderId, level: 2 }, order.correlationId);
    // The capture at acceptance and the cancel race (seconds apart here): a captured payment is
    // refunded, one not yet captured has its hold canceled. Either way the customer keeps nothing paid.
    const ended = await orderWhere(order.orderId, (o) => o.status === "refunded" || (o.status === "cancelled" && o.payment.status === "canceled"));
    assert.equal(ended.cancellation.reason, "no-courier");
    const intent = await intentAt(order.intentId!);
    assert.equal(Number(intent.amount_received) - Number(intent.amount_refunded ?? 0), 0, `kept ${JSON.stringify(intent)}`);
    assert.equal(intent.status, ended.status === "refunded" ? "succeeded" : "canceled");
  });
});
