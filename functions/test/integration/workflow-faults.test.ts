/**
 * The order workflow under the faults at-least-once delivery and outside services bring:
 * redelivered and reordered events, a step that fails after its effect, Stripe answering 503,
 * a capture that never succeeds (dead letter, flag, replay), and two people moving one order
 * at the same moment.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { ATTENTION_MESSAGES } from "../../src/orders/attention";
import { publishRecord, sweepOutbox, type SweepReport } from "../../src/orders/outbox.service";
import { firestoreValues } from "../../src/shared/firebase";
import { admin, signUpWithPhone } from "../support/emulators";
import { stockLeft } from "../support/checkout";
import { courierAt, deliverAgain, eventually, failStripe, intentAt, intentCalls, kitchen, orderWhere, outboxEvent, placedOrder, resetStripeFailures } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");

const ledgerHas = async (handler: string, eventId: string) => (await admin().db.doc(`processedEvents/${handler}__${eventId}`).get()).exists;

describe("order workflow under faults", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(resetStripeFailures);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("does everything once when each event is delivered three times", async () => {
    const k = await kitchen();
    const courier = await courierAt(k.location);
    clients.push(k.staff, k.customer, courier);
    const order = await placedOrder(k, "card");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    const accepted = await outboxEvent(order.orderId, "orders.v1.accepted");
    await Promise.all([deliverAgain(accepted), deliverAgain(accepted)]);

    await orderWhere(order.orderId, (o) => o.payment.status === "captured" && o.dispatch?.status === "offered");
    for (const handler of ["inventory-onOrderEvent", "orders-board", "payments-onOrderEvent", "dispatch-onOrderEvent", "notifications-onOrderEvent"]) {
      await eventually(`${handler} recorded the event`, () => ledgerHas(handler, accepted.eventId as string));
    }
    await new Promise((r) => setTimeout(r, 3000)); // let the duplicates run their course
    assert.equal((await intentCalls(order.intentId!, "capture")).length, 1, "captured once");
    assert.equal((await intentAt(order.intentId!)).amount_received, order.total);
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 18, "no second stock movement");
    const movements = await admin().db.collection("stockMovements").where("orderId", "==", order.orderId).get();
    assert.deepEqual(movements.docs.map((m) => m.get("kind")).sort(), ["commit", "reserve"]);
    const current = (await admin().db.doc(`orders/${order.orderId}`).get()).data()!;
    assert.equal(current.dispatch.offers, 1, "offered to one courier once");
    const told = await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.accepted").get();
    assert.equal(told.size, 1);
  });

  it("captures once when the capture took effect but its answer was lost, and the step is retried", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    await failStripe({ path: `/v1/payment_intents/${order.intentId}/capture`, status: 500, count: 1, afterEffect: true });
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    const captured = await orderWhere(order.orderId, (o) => o.payment.status === "captured");
    assert.equal(captured.payment.amountCaptured, order.total);
    assert.equal((await intentCalls(order.intentId!, "capture")).length, 1, "the retry found the capture done and did not repeat it");
    assert.equal((await intentAt(order.intentId!)).amount_received, order.total);
  });

  it("rides out Stripe answering 503 twice: the queue retries and captures once", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    await failStripe({ path: `/v1/payment_intents/${order.intentId}/capture`, status: 503, count: 2 });
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    const captured = await orderWhere(order.orderId, (o) => o.payment.status === "captured");
    assert.equal(captured.attention, undefined);
    assert.equal((await intentCalls(order.intentId!, "capture")).length, 3, "two refused, one taken");
    assert.equal((await intentAt(order.intentId!)).amount_received, order.total);
    const letters = await admin().db.collection("deadLetters").where("payload.data.orderId", "==", order.orderId).get();
    assert.equal(letters.size, 0);
  });

  it("dead-letters a capture that keeps failing, flags the order, and the replay script settles it", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "card");
    await failStripe({ path: `/v1/payment_intents/${order.intentId}/capture`, status: 503, count: 1000 });
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });

    const flagged = await orderWhere(order.orderId, (o) => o.attention?.reason === "payment-settlement-failed", 120_000);
    const letter = await admin().db.doc(`deadLetters/${flagged.attention.deadLetterId}`).get();
    assert.equal(letter.get("handler"), "payments-settlePayment");
    assert.equal(letter.get("attempts"), 5);
    assert.equal(letter.get("correlationId"), order.correlationId);
    assert.equal(letter.get("status"), "open");
    // Staff read the flag on their board: a fixed sentence; Stripe's words stay in the dead letter.
    assert.equal(flagged.attention.message, ATTENTION_MESSAGES["payment-settlement-failed"]);
    assert.ok(String(letter.get("error.message") ?? "").length > 0, "the upstream error is kept in the dead letter");
    assert.notEqual(flagged.attention.message, letter.get("error.message"));
    assert.equal(flagged.payment.status, "authorized", "nothing captured");
    const board = await admin().db.doc(`restaurantBoards/${k.restaurantId}/openOrders/${order.orderId}`).get();
    assert.ok(board.exists);

    const script = (args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "dead-letters.ts"), ...args], { cwd: REPO, encoding: "utf8" });
    const listed = script(["list"]);
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(letter.id));

    await resetStripeFailures(); // the outage is over
    const replayed = script(["replay", letter.id]);
    assert.equal(replayed.status, 0, replayed.stdout + replayed.stderr);
    const settled = await orderWhere(order.orderId, (o) => o.payment.status === "captured" && !o.attention);
    assert.equal(settled.status, "accepted");
    assert.equal((await intentAt(order.intentId!)).amount_received, order.total);
    await eventually("dead letter resolved", async () => (await letter.ref.get()).get("status") === "resolved");
  });

  it("changes nothing when old events of a delivered order arrive late and out of order", async () => {
    const k = await kitchen();
    const courier = await courierAt(k.location);
    clients.push(k.staff, k.customer, courier);
    const order = await placedOrder(k, "cash");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" });
    await orderWhere(order.orderId, (o) => o.dispatch?.offer?.courierUid === courier.user.uid);
    await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action: "accept" });
    for (const action of ["preparing", "ready"]) await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action });
    for (const action of ["picked_up", "delivered"]) await courier.call(CALLABLES.courierOrderAction, { orderId: order.orderId, action });
    await eventually("courier freed", async () => (await admin().db.doc(`couriers/${courier.user.uid}`).get()).get("activeOrderId") === null);

    const late = ["orders.v1.ready", "orders.v1.accepted", "orders.v1.placed"];
    const lateIds = late.map((type) => `late-${type}-${order.orderId}`);
    for (const [i, type] of late.entries()) await deliverAgain(await outboxEvent(order.orderId, type), lateIds[i]);
    for (const id of lateIds) await eventually(`late event ${id} handled`, () => ledgerHas("orders-board", id));
    await eventually("late accepted seen by inventory", () => ledgerHas("inventory-onOrderEvent", lateIds[1]));
    await new Promise((r) => setTimeout(r, 2000));

    const now = (await admin().db.doc(`orders/${order.orderId}`).get()).data()!;
    assert.equal(now.status, "delivered");
    assert.equal(now.dispatch.offers, 1, "no courier sought again");
    assert.ok(!(await admin().db.doc(`restaurantBoards/${k.restaurantId}/openOrders/${order.orderId}`).get()).exists, "board not resurrected");
    assert.equal((await admin().db.doc(`stockReservations/${order.orderId}`).get()).get("status"), "committed");
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 18);
    assert.equal((await admin().db.doc(`couriers/${courier.user.uid}`).get()).get("activeOrderId"), null);
  });

  it("publishes, from the sweep, an event whose trigger never did; subscribers still act once", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const order = await placedOrder(k, "cash");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "kitchen-closed" });
    const rejected = await outboxEvent(order.orderId, "orders.v1.rejected");
    await eventually("trigger published", async () => (await admin().db.doc(`outbox/${rejected.eventId}`).get()).get("publishedAt"));
    await eventually("stock released", async () => ledgerHas("inventory-onOrderEvent", rejected.eventId as string));
    // As if the trigger had never run: unstamped, and older than the sweep's grace period.
    const { Timestamp } = firestoreValues();
    await admin().db.doc(`outbox/${rejected.eventId}`).update({ publishedAt: null, createdAt: Timestamp.fromMillis(Date.now() - 10 * 60_000) });

    assert.ok((await sweepOutbox()).published >= 1);
    assert.ok((await admin().db.doc(`outbox/${rejected.eventId}`).get()).get("publishedAt"), "stamped by the sweep");
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(await stockLeft(k.restaurantId, k.itemId), 20, "released once, not twice");
    const told = await admin().db.collection("notificationRequests").where("orderId", "==", order.orderId).where("type", "==", "orders.v1.rejected").get();
    assert.equal(told.size, 1);
  });

  /** Rejects `count` fresh orders and returns their rejection events once the trigger has published them. */
  async function publishedRejections(count: number) {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const events: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const order = await placedOrder(k, "cash");
      await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "reject", reason: "kitchen-closed" });
      const event = (await outboxEvent(order.orderId, "orders.v1.rejected")).eventId as string;
      await eventually("trigger published", async () => (await admin().db.doc(`outbox/${event}`).get()).get("publishedAt"));
      events.push(event);
    }
    return events;
  }

  /** As if the trigger had never published it: unstamped and `agoMs` old. */
  async function unpublish(eventId: string, agoMs: number, fields: Record<string, unknown> = {}) {
    const { Timestamp } = firestoreValues();
    await admin().db.doc(`outbox/${eventId}`).update({ publishedAt: null, createdAt: Timestamp.fromMillis(Date.now() - agoMs), ...fields });
  }

  it("dead-letters an outbox record it cannot read once, and stops selecting it", async () => {
    const [poison] = await publishedRejections(1);
    await unpublish(poison, 10 * 60_000, { type: "not an event type" });

    const first = await sweepOutbox();
    const letters = () => admin().db.collection("deadLetters").where("eventId", "==", poison).get();
    assert.equal((await letters()).size, 1, "the unreadable record is dead-lettered");
    assert.equal((await admin().db.doc(`outbox/${poison}`).get()).get("publishedAt"), undefined, "and no longer looks unpublished");
    assert.ok(first.deadLettered.includes(poison));

    const second = await sweepOutbox();
    assert.ok(!second.deadLettered.includes(poison), "not selected again");
    assert.equal((await letters()).size, 1, "dead-lettered once");
  });

  it("goes on past a record whose publish fails, reports it, and publishes it on the next sweep", async () => {
    const [failing, next] = await publishedRejections(2);
    // The failing record is the older one, so the sweep meets it first.
    await unpublish(failing, 11 * 60_000);
    await unpublish(next, 10 * 60_000);
    const pubsubDown = async (record: Parameters<typeof publishRecord>[0]) => {
      if (record.eventId === failing) throw new Error("Pub/Sub unavailable");
      await publishRecord(record);
    };

    const report: Partial<SweepReport> | { threw: string } = await sweepOutbox(Date.now(), pubsubDown).catch((error: unknown) => ({ threw: String(error) }));
    const reported = typeof report === "object" && "failed" in report ? (report.failed ?? []) : [];
    assert.deepEqual(reported.filter((id) => id === failing), [failing], `the failure is reported, not thrown: ${JSON.stringify(report)}`);
    assert.ok((await admin().db.doc(`outbox/${next}`).get()).get("publishedAt"), "the record after the failing one is published");
    assert.equal((await admin().db.doc(`outbox/${failing}`).get()).get("publishedAt"), null);

    const retried = await sweepOutbox();
    assert.ok(!retried.failed.includes(failing));
    assert.ok((await admin().db.doc(`outbox/${failing}`).get()).get("publishedAt"), "published by the next sweep");
  });

  it("lets exactly one of a customer's cancel and the restaurant's accept win; the other is told why", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    for (let round = 0; round < 3; round += 1) {
      // A customer per round: accepted orders stay open, and an account may hold only
      // MAX_OPEN_CASH_ORDERS (2) open cash orders.
      const customer = await signUpWithPhone();
      clients.push(customer);
      const order = await placedOrder(k, "cash", customer);
      const outcomes = await Promise.allSettled([
        customer.call(CALLABLES.cancelOrder, { orderId: order.orderId }),
        k.staff.call(CALLABLES.restaurantOrderAction, { orderId: order.orderId, action: "accept" }),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      assert.equal(won.length, 1, `round ${round}: ${JSON.stringify(outcomes)}`);
      assert.equal((lost[0].reason as { code: string }).code, "functions/failed-precondition");
      const final = (await admin().db.doc(`orders/${order.orderId}`).get()).data()!;
      assert.equal(final.history.length, 2, "placed at checkout, then the one move that won");
      assert.equal(final.status, (won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
    }
  });
});
