/**
 * Restaurant and payment reports: kept live from the orders by the order trigger, once per
 * event, and the same figures when rebuilt from the orders by `npm run reports:rebuild`.
 * Runs alone: the rebuild rewrites the whole day's payment report, which every order writes.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { doc, getDoc, type DocumentData } from "firebase/firestore";
import { CALLABLES } from "../../src/contract";
import { contributionOf, dayOf, type Contribution } from "../../src/reports/contribution";
import { projectOrder, readPaymentsDay, readRestaurantDay, rebuildReports } from "../../src/reports/reports.service";
import { shapedQuery } from "../../src/shared/queries";
import { admin, signInWithRole, type AppClient } from "../support/emulators";
import { TASK_QUEUES } from "../../src/shared/task-queues";
import { eventually, kitchen, orderWhere, placedOrder, runTaskNow, type PlacedOrder } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");

/** Every order of `day` counts, in its contribution record, what it counts for as it stands now. */
async function projectionCaughtUp(day: string): Promise<boolean> {
  const db = admin().db;
  const start = new Date(`${day}T00:00:00Z`);
  const orders = await shapedQuery("ordersCreatedBetweenById", db.collection("orders"), start, new Date(start.getTime() + 86_400_000)).get();
  const counted = orders.empty ? [] : await db.getAll(...orders.docs.map((o) => db.doc(`reportContributions/${o.id}`)));
  return orders.docs.every((order, i) => {
    const now = contributionOf(order.id, order.data());
    const then = counted[i].data() as Contribution | undefined;
    return JSON.stringify(now) === JSON.stringify(then);
  });
}

/**
 * Waits for an order's payment to settle. The settlement task is what payments-onOrderEvent
 * enqueues; on a loaded emulator host the Pub/Sub push to it is sometimes lost (no redelivery
 * there), so the test enqueues the same task too: settling is idempotent, and what is under test
 * here is the reports, not the settlement's trigger.
 */
async function settled(order: PlacedOrder, predicate: (order: DocumentData) => boolean): Promise<void> {
  await runTaskNow(TASK_QUEUES.settlePayment, { orderId: order.orderId }, order.correlationId);
  await orderWhere(order.orderId, predicate, 90_000);
}

describe("reports", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));

  it("counts a restaurant's day and the day's payments from the orders, live and rebuilt alike", async () => {
    const k = await kitchen();
    const operator = await signInWithRole("admin");
    clients.push(k.staff, k.customer, operator);
    const day = dayOf(Date.now());
    const act = (orderId: string, action: string) => k.staff.call(CALLABLES.restaurantOrderAction, { orderId, action });

    // A: card, accepted, prepared, ready. B: cash, rejected. C: card, accepted then refunded by an admin.
    const [a, b, c] = [await placedOrder(k, "card"), await placedOrder(k, "cash"), await placedOrder(k, "card")];
    await act(a.orderId, "accept");
    await act(a.orderId, "preparing");
    await act(a.orderId, "ready");
    await k.staff.call(CALLABLES.restaurantOrderAction, { orderId: b.orderId, action: "reject", reason: "too-busy" });
    await act(c.orderId, "accept");
    await settled(c, (o) => o.payment.status === "captured");
    await operator.call(CALLABLES.adminOrderAction, { orderId: c.orderId, action: "cancel", reason: "restaurant-request" });
    await settled(c, (o) => o.status === "refunded" && o.payment.status === "refunded");
    await settled(a, (o) => o.payment.status === "captured");

    const live = await eventually("the restaurant's day to count every move", async () => {
      const figures = await readRestaurantDay(k.restaurantId, day);
      return figures.orders === 3 && figures.refunds === 1 && figures.prepared === 1 && figures.rejected === 1 ? figures : undefined;
    });
    assert.equal(live.revenue, a.total, "accepted and not given up: A only");
    assert.equal(live.refundedAmount, c.total);
    assert.equal(live.accepted, 2);
    assert.equal(live["items.limited.quantity"], 6, "2 units on each of the 3 orders");
    assert.ok(live.acceptMs >= 0 && live.prepareMs >= 0);
    const report = await getDoc(doc(k.staff.firestore, `restaurantReports/${k.restaurantId}/days/${day}`));
    assert.equal(report.get("items.limited.name"), "Limited dish", "the restaurant's staff read their day, with item names for the top items");

    // Everything of the day settled in the live projection, then rebuilt from the orders: the same figures.
    await eventually("every order of the day projected as it stands", () => projectionCaughtUp(day), 90_000);
    const [liveRestaurant, livePayments] = [await readRestaurantDay(k.restaurantId, day), await readPaymentsDay(day)];
    assert.ok(livePayments["card.EUR.capturedCount"] >= 2 && livePayments["card.EUR.refundedCount"] >= 1, JSON.stringify(livePayments));
    await rebuildReports({ day });
    assert.deepEqual(await readRestaurantDay(k.restaurantId, day), liveRestaurant, "the rebuilt restaurant day is the live one");
    assert.deepEqual(await readPaymentsDay(day), livePayments, "the rebuilt payments day is the live one");

    // The script does the same from the command line.
    const { stdout } = await promisify(execFile)("npx", ["tsx", "scripts/admin/rebuild-reports.ts", "--day", day], { cwd: REPO, env: process.env });
    assert.match(stdout, /Done: \d+ orders/);
    assert.deepEqual(await readRestaurantDay(k.restaurantId, day), liveRestaurant);
    assert.deepEqual(await readPaymentsDay(day), livePayments);
  });

  it("applies an event once, and a repeated or late one changes nothing", async () => {
    const k = await kitchen();
    clients.push(k.staff, k.customer);
    const day = dayOf(Date.now());
    const order = await placedOrder(k, "cash");
    await eventually("the order counted", async () => (await readRestaurantDay(k.restaurantId, day)).orders === 1);
    await eventually("its every write projected", async () => {
      const [o, counted] = await Promise.all([admin().db.doc(`orders/${order.orderId}`).get(), admin().db.doc(`reportContributions/${order.orderId}`).get()]);
      return JSON.stringify(contributionOf(o.id, o.data())) === JSON.stringify(counted.data());
    });
    const before = await readRestaurantDay(k.restaurantId, day);
    const eventId = `test-${randomUUID()}`;
    assert.equal(await projectOrder(order.orderId, eventId), true);
    assert.equal(await projectOrder(order.orderId, eventId), false, "the same event again is dropped by the ledger");
    assert.equal(await projectOrder(order.orderId, `test-${randomUUID()}`), true, "another event about an unchanged order");
    assert.deepEqual(await readRestaurantDay(k.restaurantId, day), before, "counted once whatever the events");
  });

  it("refuses a malformed day on the command line", async () => {
    const failed = await promisify(execFile)("npx", ["tsx", "scripts/admin/rebuild-reports.ts", "--day", "30-11-2026"], { cwd: REPO, env: process.env }).catch((error: { code: number; stderr: string }) => error);
    assert.equal((failed as { code: number }).code, 2);
    assert.match((failed as { stderr: string }).stderr, /usage: npm run reports:rebuild/);
  });
});
