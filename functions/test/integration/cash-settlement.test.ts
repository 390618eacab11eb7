/**
 * Cash at the door on the emulators: the assigned courier's record settles the cash payment
 * (once: a repeat counts nothing more), anyone else is refused, an undelivered cash order ends
 * `canceled` instead of `pending_cash` for ever, and the courier's day reconciles expected
 * against collected, flagging short and over collection with their amounts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { doc, getDoc } from "firebase/firestore";
import { CALLABLES } from "../../src/contract/callables";
import type { RecordCashCollectionResponse } from "../../src/contract/delivery";
import { keyedHash } from "../../src/shared/pseudonym";
import { shapedQuery } from "../../src/shared/queries";
import { pickedUpOrder } from "../support/delivery";
import { admin, callError, payload, signInWithRole, type AppClient } from "../support/emulators";
import { courierAt, eventually, kitchen, orderWhere, placedOrder, type Kitchen } from "../support/workflow";

describe("cash settlement", () => {
  let k: Kitchen;
  let courier: AppClient;
  let otherCourier: AppClient;
  let operator: AppClient | undefined;

  const order = async (orderId: string) => (await admin().db.doc(`orders/${orderId}`).get()).data()!;
  const record = (who: AppClient, orderId: string, amount: number, currency = "EUR") => who.call<RecordCashCollectionResponse>(CALLABLES.recordCashCollection, { orderId, collected: { amount, currency } });
  /** The courier's one cash day (the test runs within one day). */
  const courierDay = async (until: (day: FirebaseFirestore.DocumentData) => boolean) =>
    eventually("the courier's cash day", async () => {
      const days = await shapedQuery("cashReconciliationsOfCourierNewestFirst", admin().db, courier.user.uid).get();
      assert.ok(days.size <= 1, "one day per courier per currency");
      const day = days.docs[0];
      return day && until(day.data()) ? day : undefined;
    });

  before(async () => {
    k = await kitchen();
    [courier, otherCourier] = await Promise.all([courierAt(k.location), signInWithRole("courier")]);
  });

  after(() => Promise.all([k.staff, k.customer, courier, otherCourier, operator].map((client) => client?.close())));

  it("a cash order given up before delivery ends canceled, not pending_cash for ever", async () => {
    const { orderId } = await placedOrder(k, "cash");
    await k.customer.call(CALLABLES.cancelOrder, { orderId, reason: "changed-mind" });
    const ended = await orderWhere(orderId, (o) => o.payment?.status !== "pending_cash", 90_000);
    assert.equal(ended.payment.status, "canceled");
    assert.equal(ended.status, "cancelled");
  });

  it("settles on delivery: the courier's record makes the payment collected and the day count it once, repeat or not", async () => {
    const { orderId, total } = await pickedUpOrder(k, courier, "cash");
    await courier.call(CALLABLES.courierOrderAction, { orderId, action: "delivered" });
    const answer = await record(courier, orderId, total);
    assert.deepEqual(payload(answer), { orderId, paymentStatus: "collected", due: total, collected: total, difference: 0 });
    const settled = await order(orderId);
    assert.deepEqual([settled.payment.status, settled.payment.amountCollected, settled.payment.collectionDifference], ["collected", total, 0]);

    // The same record again (a retry after a lost answer): the same answer, nothing counted twice.
    assert.deepEqual(payload(await record(courier, orderId, total)), payload(answer));
    const day = await courierDay((d) => d.orders?.[orderId]?.collected === total);
    assert.deepEqual(day.data().orders[orderId], { expected: total, collected: total });
    assert.deepEqual([day.get("expected"), day.get("collected"), day.get("short"), day.get("over"), day.get("flagged")], [total, total, 0, 0, false]);

    // Another amount for a settled payment is refused, and changes nothing.
    const changed = await callError(record(courier, orderId, total - 100));
    assert.deepEqual([changed.code, changed.details.reason], ["functions/failed-precondition", "cash-already-recorded"]);
    assert.equal((await order(orderId)).payment.amountCollected, total);
    assert.equal((await admin().db.doc(`cashReconciliations/${day.id}`).get()).get("collected"), total);

    // The courier reads their own day through the rules; another courier cannot.
    assert.equal((await getDoc(doc(courier.firestore, `cashReconciliations/${day.id}`))).get("courierUid"), courier.user.uid);
    await assert.rejects(getDoc(doc(otherCourier.firestore, `cashReconciliations/${day.id}`)), /permission/i);
  });

  it("refuses the wrong courier, a card order, another currency and bad amounts, changing nothing", async () => {
    const { orderId, total } = await pickedUpOrder(k, courier, "cash");
    const cardOrder = admin().db.collection("orders").doc();
    await cardOrder.set({ customerUid: k.customer.user.uid, restaurantId: k.restaurantId, courierUid: courier.user.uid, status: "picked_up", paymentMethod: "card", payment: { provider: "stripe", status: "captured" }, total: { amount: total, currency: "EUR" } });
    const cases: [AppClient, Record<string, unknown>, string, string, string | undefined][] = [
      [otherCourier, { orderId, collected: { amount: total, currency: "EUR" } }, "functions/permission-denied", "not-your-order", undefined],
      [k.customer, { orderId, collected: { amount: total, currency: "EUR" } }, "functions/permission-denied", "role-required", undefined],
      [courier, { orderId: cardOrder.id, collected: { amount: total, currency: "EUR" } }, "functions/failed-precondition", "not-a-cash-order", "orderId"],
      [courier, { orderId, collected: { amount: total, currency: "USD" } }, "functions/invalid-argument", "currency-mismatch", "collected.currency"],
      [courier, { orderId, collected: { amount: 10.5, currency: "EUR" } }, "functions/invalid-argument", "invalid-request", "collected.amount"],
      [courier, { orderId, collected: { amount: -1, currency: "EUR" } }, "functions/invalid-argument", "invalid-request", "collected.amount"],
    ];
    for (const [who, data, code, reason, field] of cases) {
      const error = await callError(who.call(CALLABLES.recordCashCollection, data));
      assert.deepEqual([error.code, error.details.reason], [code, reason], JSON.stringify(data));
      if (field) assert.ok((error.details.fields as { path: string }[]).some((f) => f.path === field), JSON.stringify(error.details.fields));
    }
    assert.equal((await order(orderId)).payment.status, "pending_cash");
    assert.equal((await cardOrder.get()).get("payment.status"), "captured");
    await cardOrder.delete();
    // Leave the courier free for the next test: this order is delivered, its cash recorded as due.
    await courier.call(CALLABLES.courierOrderAction, { orderId, action: "delivered" });
    await record(courier, orderId, total);
  });

  it("flags the day for an operator with the short and the over amounts", async () => {
    // Short, recorded at the door before the delivery is marked: the delivered event brings it into the day.
    const short = await pickedUpOrder(k, courier, "cash");
    await record(courier, short.orderId, short.total - 300);
    await courier.call(CALLABLES.courierOrderAction, { orderId: short.orderId, action: "delivered" });
    let day = await courierDay((d) => d.orders?.[short.orderId] !== undefined);
    assert.deepEqual(day.data().orders[short.orderId], { expected: short.total, collected: short.total - 300 });
    assert.deepEqual([day.get("short"), day.get("over"), day.get("flagged")], [300, 0, true]);

    // Over, recorded after the delivery.
    const over = await pickedUpOrder(k, courier, "cash");
    await courier.call(CALLABLES.courierOrderAction, { orderId: over.orderId, action: "delivered" });
    const answer = await record(courier, over.orderId, over.total + 200);
    assert.equal(answer.difference, 200);
    day = await courierDay((d) => d.orders?.[over.orderId]?.collected === over.total + 200);
    assert.deepEqual([day.get("short"), day.get("over"), day.get("flagged"), day.get("unrecordedOrders")], [300, 200, true, 0]);
    // When the day was first flagged survives later writes to it.
    assert.ok(day.get("flaggedAt"), "flaggedAt kept");
    assert.equal(day.get("expected") - day.get("collected"), 100);

    // What an operator lists: flagged days, newest first; an admin reads them through the rules.
    const flagged = await shapedQuery("flaggedCashReconciliationsNewestFirst", admin().db, true).get();
    assert.ok(flagged.docs.some((d) => d.id === day.id));
    operator = await signInWithRole("admin");
    assert.equal((await getDoc(doc(operator.firestore, `cashReconciliations/${day.id}`))).get("short"), 300);
  });

  it("keeps a deleted courier's cash days for the accounts, under the pseudonym", async () => {
    const before = await courierDay(() => true);
    await courier.call(CALLABLES.deleteAccount, { confirm: true });
    const subject = keyedHash("uid", courier.user.uid);
    assert.equal((await admin().db.doc(`cashReconciliations/${before.id}`).get()).exists, false, "no day is named after the courier");
    const kept = await shapedQuery("cashReconciliationsOfCourierNewestFirst", admin().db, subject).get();
    assert.deepEqual(kept.docs.map((d) => [d.id.startsWith(subject), d.get("orders"), d.get("short"), d.get("over")]), [[true, before.get("orders"), before.get("short"), before.get("over")]]);
    assert.ok(!JSON.stringify(kept.docs[0].data()).includes(courier.user.uid), "the kept day does not name the courier");
  });
});
