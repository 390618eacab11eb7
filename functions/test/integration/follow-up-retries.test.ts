/**
 * A step that commits and then fails to enqueue its follow-up (a transient Cloud Tasks error):
 * the retry of the event that ran it must schedule the follow-up, however the first try ended.
 * Each case fails one enqueue once and expects the task it owed to be held by the task relay.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import type { CheckoutResponse } from "../../src/contract/checkout";
import { admin, callError } from "../support/emulators";
import { clearFaultPlan, faultReport, heldTasks, runHeldTasks, setFaultPlan } from "../support/faults";
import { cart, courierAt, eventually, kitchen, orderWhere, placedOrder } from "../support/workflow";

/** Fails the next enqueue into `queue`, once. */
const failEnqueueOnce = (queue: string) => setFaultPlan([{ point: `tasks.enqueue:${queue}`, mode: "fail", times: 1 }]);

const injected = async (queue: string) => (await faultReport()).injections[`tasks.enqueue:${queue} fail`] ?? 0;

/** Waits for the held task(s) named `idPrefix…`, then checks, a moment later, that there is exactly one. */
async function heldOnce(what: string, idPrefix: string) {
  await eventually(what, async () => (await heldTasks({ idPrefix })).length > 0, 25_000);
  await new Promise((r) => setTimeout(r, 1500));
  const held = await heldTasks({ idPrefix });
  assert.equal(held.length, 1, `one task ${idPrefix}…: ${JSON.stringify(held.map((t) => t.id))}`);
  return held[0];
}

describe("a follow-up whose enqueue failed after its step committed", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(clearFaultPlan);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  /** A cash order, accepted and offered to the one courier near its kitchen. */
  async function offeredToOnlyCourier() {
    const k = await kitchen();
    const only = await courierAt(k.location);
    clients.push(k.staff, k.customer, only);
    const order = await placedOrder(k, "cash");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === only.user.uid);
    return { only, order };
  }

  it("a courier offer gets its expiry scheduled when the first enqueue failed", async () => {
    const k = await kitchen();
    const courier = await courierAt(k.location);
    clients.push(k.staff, k.customer, courier);
    const order = await placedOrder(k, "cash");
    await failEnqueueOnce("dispatch-expireCourierOffer");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
    const expiry = await heldOnce("the offer's expiry scheduled", `offer-${order.orderId}-`);
    assert.equal(expiry.id, `offer-${order.orderId}-1`);
    assert.equal(await injected("dispatch-expireCourierOffer"), 1, "the first enqueue did fail");
  });

  it("the next offer gets its expiry scheduled when an offer lapsed and the next one's enqueue failed", async () => {
    const k = await kitchen();
    const first = await courierAt(k.location, 0.1);
    clients.push(k.staff, k.customer, first);
    const order = await placedOrder(k, "cash");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === first.user.uid);
    await heldOnce("the first offer's expiry scheduled", `offer-${order.orderId}-1`);
    const second = await courierAt(k.location, 0.3);
    clients.push(second);
    await failEnqueueOnce("dispatch-expireCourierOffer");
    // The first courier never answers: their offer lapses and the second courier is asked.
    assert.equal(await runHeldTasks({ idPrefix: `offer-${order.orderId}-1` }), 1);
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === second.user.uid);
    await heldOnce("the second offer's expiry scheduled", `offer-${order.orderId}-2`);
    assert.equal(await injected("dispatch-expireCourierOffer"), 1, "the second offer's first enqueue did fail");
  });

  it("the next courier search is scheduled when nobody was free and its enqueue failed", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "cash");
    await failEnqueueOnce("dispatch-searchCourier");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    const round = await heldOnce("the next search round scheduled", `search-${order.orderId}-`);
    const searching = await orderWhere(order.orderId, (o) => o.dispatch?.status === "searching");
    assert.equal(round.id, `search-${order.orderId}-${searching.dispatch.dueAt.toMillis()}`, "the round the order waits for");
    assert.equal(await injected("dispatch-searchCourier"), 1);
  });

  it("the next courier search is scheduled when an offer lapsed, nobody else was free and its enqueue failed", async () => {
    const { order } = await offeredToOnlyCourier();
    await heldOnce("the offer's expiry scheduled", `offer-${order.orderId}-1`);
    await failEnqueueOnce("dispatch-searchCourier");
    assert.equal(await runHeldTasks({ idPrefix: `offer-${order.orderId}-1` }), 1);
    const round = await heldOnce("the next search round scheduled", `search-${order.orderId}-`);
    const searching = await orderWhere(order.orderId, (o) => o.dispatch?.lastOffer?.outcome === "lapsed" && !o.dispatch?.offer);
    assert.equal(round.id, `search-${order.orderId}-${searching.dispatch.dueAt.toMillis()}`, "the round the order waits for");
    assert.equal(await injected("dispatch-searchCourier"), 1);
  });

  it("a courier who declines again, after their decline's search failed, gets an answer and the search is scheduled", async () => {
    const { only, order } = await offeredToOnlyCourier();
    await failEnqueueOnce("dispatch-searchCourier");
    const first = await callError(only.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "decline" }));
    assert.equal(first.code, "functions/internal", "the first decline's reply was lost to the failed enqueue");
    const again = await only.call<{ orderId: string; status: string }>(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "decline" });
    assert.equal(again.status, "accepted");
    await heldOnce("the next search round scheduled", `search-${order.orderId}-`);
    assert.equal(await injected("dispatch-searchCourier"), 1);
  });

  it("a card order's payment window is scheduled when its enqueue failed", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    await failEnqueueOnce("checkout-expireUnpaidOrder");
    const placed = await k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, cart(k, "card"));
    await heldOnce("the payment window scheduled", `expire-${placed.orderId}`);
    assert.equal(await injected("checkout-expireUnpaidOrder"), 1);
  });

  it("a notification request's deliveries are enqueued when the first enqueue failed", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    await failEnqueueOnce("notifications-deliver");
    const order = await placedOrder(k, "cash");
    const requests = () => admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).get();
    await eventually("the failed enqueue", async () => (await injected("notifications-deliver")) === 1, 25_000);
    await eventually("every request of the order dispatched", async () => {
      const docs = (await requests()).docs;
      return docs.length > 0 && docs.every((d) => d.get("status") === "dispatched");
    }, 25_000);
  });

  it("a placed order's acceptance deadline is scheduled when its enqueue failed", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    await failEnqueueOnce("orders-enforceAcceptanceDeadline");
    const order = await placedOrder(k, "cash");
    await heldOnce("the acceptance deadline scheduled", `accept-by-${order.orderId}`);
    assert.equal(await injected("orders-enforceAcceptanceDeadline"), 1);
    assert.equal((await admin().db.doc(`orders/${order.orderId}`).get()).get("status"), "placed");
  });
});
