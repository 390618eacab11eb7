/**
 * Integrity between steps: what happens when a step commits and its follow-up does not run (a
 * provider outage, a crash, a task name Cloud Tasks will not take twice, an offer that outlives
 * its order). The local task relay holds delayed tasks until due and refuses reused names as
 * Cloud Tasks does; the fault plan fails chosen points.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import type { CheckoutResponse } from "../../src/contract/checkout";
import { SETTLE_REDRIVE_WINDOW_MS, sweepStalledOrders } from "../../src/orders/stall-sweep.service";
import { firestoreValues } from "../../src/shared/firebase";
import { TASK_QUEUES } from "../../src/shared/task-queues";
import { doubleRequests, ordersOf, stockLeft } from "../support/checkout";
import { admin, callError, signInWithRole } from "../support/emulators";
import { clearFaultPlan, heldTasks, runHeldTasks, setFaultPlan, TASK_RELAY } from "../support/faults";
import { cart, courierAt, eventually, failStripe, kitchen, orderWhere, outboxEvent, deliverAgain, placedOrder, resetStripeFailures } from "../support/workflow";

const intentsCreatedFor = async (orderId: string) =>
  new Set((await doubleRequests()).filter((r) => r.method === "POST" && r.path === "/v1/payment_intents" && r.params.metadata?.orderId === orderId).map((r) => r.idempotencyKey)).size;

const courierDoc = async (uid: string) => (await admin().db.doc(`couriers/${uid}`).get()).data() ?? {};

describe("integrity between steps", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await clearFaultPlan();
    await resetStripeFailures();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  describe("checkout after its commit", () => {
    it("resumes the same order when Stripe was down and the client retries with its key: one order, one PaymentIntent", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const request = cart(k, "card");
      // Stripe's policy tries twice (one retry); both fail.
      await failStripe({ path: "/v1/payment_intents", status: 503, count: 2 });
      const failed = await callError(k.customer.call(CALLABLES.placeOrder, request));
      assert.equal(failed.code, "functions/unavailable");

      const retried = await k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, request);
      assert.equal(retried.status, "awaiting_payment");
      assert.ok(retried.payment?.paymentIntentClientSecret, "the retry carries the payment sheet");
      const orders = await ordersOf(k.customer.user.uid);
      assert.deepEqual(orders.map((o) => o.id), [retried.orderId], "one order for the key");
      assert.equal(await intentsCreatedFor(retried.orderId), 1, "one PaymentIntent");
      assert.equal(await stockLeft(k.restaurantId, k.itemId), 18, "stock reserved once");
      const again = await k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, request);
      assert.equal(again.orderId, retried.orderId);
    });

    it("a checkout that died right after its commit: the retry finishes it, and the payment window still closes", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const request = cart(k, "card");
      await setFaultPlan([{ point: "checkout.after-commit", mode: "fail", times: 1 }]);
      const failed = await callError(k.customer.call(CALLABLES.placeOrder, request));
      assert.equal(failed.code, "functions/internal");
      const [order] = await ordersOf(k.customer.user.uid);
      assert.equal(order.get("status"), "awaiting_payment", "the order was committed");
      // Its clock started from the order's own event, not from the request that died.
      await eventually("expiry scheduled", async () => (await heldTasks({ idPrefix: `expire-${order.id}` })).length === 1);

      const retried = await k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, request);
      assert.equal(retried.orderId, order.id);
      assert.equal(await intentsCreatedFor(order.id), 1);

      assert.equal(await runHeldTasks({ idPrefix: `expire-${order.id}` }), 1);
      await orderWhere(order.id, (o) => o.status === "expired");
      await eventually("stock back", async () => (await stockLeft(k.restaurantId, k.itemId)) === 20);
    });

    it("the same key with another cart is refused even after the first request failed half-way", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const request = cart(k, "card");
      await setFaultPlan([{ point: "checkout.after-commit", mode: "fail", times: 1 }]);
      await callError(k.customer.call(CALLABLES.placeOrder, request));
      const other = await callError(k.customer.call(CALLABLES.placeOrder, { ...request, lines: [{ itemId: k.itemId, quantity: 1 }] }));
      assert.equal(other.code, "functions/failed-precondition");
      assert.equal(other.details.reason, "idempotency-key-reused");
    });

    it("the stall sweep expires an order left awaiting payment past its window with no task to do it", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const checkout = await k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, cart(k, "card"));
      const { Timestamp } = firestoreValues();
      const past = Timestamp.fromMillis(Date.now() - 30 * 60_000);
      await admin().db.doc(`orders/${checkout.orderId}`).update({ payBefore: past, updatedAt: past });
      const redriven = await sweepStalledOrders();
      assert.ok(redriven["payment-window-not-closed"]?.includes(checkout.orderId));
      await orderWhere(checkout.orderId, (o) => o.status === "expired");
      await eventually("stock back", async () => (await stockLeft(k.restaurantId, k.itemId)) === 20);
    });
  });

  describe("delayed work under the local stack", () => {
    it("holds the acceptance deadline until its time; when it comes, the unaccepted order is cancelled", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const order = await placedOrder(k, "cash");
      const [deadline] = await eventually("deadline held", async () => {
        const held = await heldTasks({ idPrefix: `accept-by-${order.orderId}` });
        return held.length ? held : undefined;
      });
      const acceptBy = (await admin().db.doc(`orders/${order.orderId}`).get()).get("acceptBy").toMillis() as number;
      assert.ok(Math.abs(deadline.dueAt - acceptBy) < 60_000, "due at the order's acceptBy");
      assert.equal((await admin().db.doc(`orders/${order.orderId}`).get()).get("status"), "placed", "not run early");
      await runHeldTasks({ idPrefix: `accept-by-${order.orderId}` });
      const cancelled = await orderWhere(order.orderId, (o) => o.status === "cancelled");
      assert.equal(cancelled.cancellation.reason, "restaurant-did-not-accept");
    });

    it("refuses a task name used before, as Cloud Tasks does", async () => {
      const id = `probe-${randomUUID()}`;
      const enqueue = () =>
        fetch(`${TASK_RELAY}/enqueue`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ queue: TASK_QUEUES.completeProbe, id, envelope: { correlationId: "test", data: { probeId: "none" } }, delaySeconds: 3600 }),
        });
      assert.equal((await enqueue()).status, 200);
      assert.equal((await enqueue()).status, 409);
    });
  });

  describe("dispatch", () => {
    it("a redelivered acceptance re-drives a dispatch whose start was recorded but whose search was lost", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const order = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
      await orderWhere(order.orderId, (o) => !!o.dispatch?.startedAt);
      // As after a failure between the start and the search: started, nothing pending.
      await admin().db.doc(`orders/${order.orderId}`).update({ "dispatch.dueAt": null });
      const courier = await courierAt(k.location);
      clients.push(courier);
      await deliverAgain(await outboxEvent(order.orderId, "orders.v1.accepted"), `redelivered-${order.orderId}`);
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
    });

    it("a stalled settlement is re-driven once per sweep window, not at every sweep that finds it", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const order = await placedOrder(k, "card");
      // Cancelled with the hold still on the card, and no settle task to release it.
      const { Timestamp } = firestoreValues();
      const past = Timestamp.fromMillis(Date.now() - 30 * 60_000);
      await admin().db.doc(`orders/${order.orderId}`).update({ status: "cancelled", updatedAt: past });
      // Two sweeps a second apart, both well inside one window whatever the clock says; other
      // tests' orders may go stale between them, so only this order's re-drives count.
      const now = Math.floor(Date.now() / SETTLE_REDRIVE_WINDOW_MS) * SETTLE_REDRIVE_WINDOW_MS + SETTLE_REDRIVE_WINDOW_MS / 2;
      const first = await sweepStalledOrders(now);
      const again = await sweepStalledOrders(now + 1000);
      assert.ok(first["release-not-settled"]?.includes(order.orderId), "the first sweep re-drives the settlement");
      assert.ok(!again["release-not-settled"]?.includes(order.orderId), "a second sweep in the same window adds no second settlement");
      await orderWhere(order.orderId, (o) => o.payment?.status === "canceled");
    });

    it("the stall sweep re-drives an accepted order with neither a live offer nor a pending search", async () => {
      const k = await kitchen();
      clients.push(k.staff, k.customer);
      const order = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
      await orderWhere(order.orderId, (o) => o.dispatch?.status === "searching" && !!o.dispatch?.dueAt);
      const courier = await courierAt(k.location);
      clients.push(courier);
      const { Timestamp } = firestoreValues();
      const past = Timestamp.fromMillis(Date.now() - 30 * 60_000);
      await admin().db.doc(`orders/${order.orderId}`).update({ "dispatch.dueAt": past, updatedAt: past });
      const redriven = await sweepStalledOrders();
      assert.ok(redriven["dispatch-not-driven"]?.includes(order.orderId));
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
    });

    it("each restart of the courier search gets a task name of its own, so the search never silently stops", async () => {
      const k = await kitchen();
      const first = await courierAt(k.location);
      clients.push(k.staff, k.customer, first);
      const order = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === first.user.uid);
      await first.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "decline" });
      // Nobody else: the next round waits in the queue. Its time comes, still nobody.
      await eventually("search round held", async () => (await heldTasks({ idPrefix: `search-${order.orderId}` })).length === 1);
      await runHeldTasks({ idPrefix: `search-${order.orderId}` });
      await eventually("first courier asked again in the scheduled round", async () => (await courierDoc(first.user.uid)).offer?.orderId === order.orderId);
      await first.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "decline" });
      // The search restarted twice now; it must still have a round pending.
      await eventually("search still scheduled", async () => (await heldTasks({ idPrefix: `search-${order.orderId}` })).length === 1);
      const second = await courierAt(k.location, 0.3);
      clients.push(second);
      await runHeldTasks({ idPrefix: `search-${order.orderId}` });
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === second.user.uid);
    });

    it("re-offers to a courier who let an offer lapse when nobody else is free", async () => {
      const k = await kitchen();
      const only = await courierAt(k.location);
      clients.push(k.staff, k.customer, only);
      const order = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.number === 1);
      await eventually("offer expiry held", async () => (await heldTasks({ idPrefix: `offer-${order.orderId}-1` })).length === 1);
      assert.equal(await runHeldTasks({ idPrefix: `offer-${order.orderId}-1` }), 1);
      await orderWhere(order.orderId, (o) => !o.dispatch?.offer && (o.dispatch?.skipped ?? []).includes(only.user.uid));
      await eventually("search round held", async () => (await heldTasks({ idPrefix: `search-${order.orderId}` })).length === 1);
      await runHeldTasks({ idPrefix: `search-${order.orderId}` });
      await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === only.user.uid && o.dispatch.offer.number === 2);
    });

    it("an order cancelled while offered does not wipe its courier's next offer when its expiry fires", async () => {
      const k = await kitchen();
      const courier = await courierAt(k.location);
      const operator = await signInWithRole("admin");
      clients.push(k.staff, k.customer, courier, operator);
      const first = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: first.orderId, action: "accept" });
      await orderWhere(first.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
      await operator.call(CALLABLES.adminOrderAction, { orderId: first.orderId, action: "cancel", reason: "customer-request" });
      await eventually("courier freed", async () => !(await courierDoc(courier.user.uid)).offer);

      const second = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: second.orderId, action: "accept" });
      await orderWhere(second.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
      // The first order's offer expiry now fires.
      assert.equal(await runHeldTasks({ idPrefix: `offer-${first.orderId}-` }), 1);
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        assert.equal((await courierDoc(courier.user.uid)).offer?.orderId, second.orderId, "the courier keeps the live offer");
        await new Promise((r) => setTimeout(r, 250));
      }
      const live = (await admin().db.doc(`orders/${second.orderId}`).get()).data()!;
      assert.equal(live.dispatch.offer.courierUid, courier.user.uid);
    });
  });
});
