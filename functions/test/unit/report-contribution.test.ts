import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { contributionOf, difference, flatten, nested, PAYMENT_REPORT_SHARDS, shardOf, sum } from "../../src/reports/contribution";

const at = (iso: string) => ({ toMillis: () => Date.parse(iso) });
const base = {
  restaurantId: "r1",
  createdAt: at("2026-11-30T23:59:00Z"),
  lines: [{ itemId: "pizza", name: "Pizza", quantity: 2 }, { itemId: "cola", name: "Cola", quantity: 1 }],
  total: { amount: 2500, currency: "EUR" },
};
const history = (...steps: [string, string][]) => steps.map(([to, iso]) => ({ to, at: at(iso) }));

describe("report contributions", () => {
  it("counts nothing for the restaurant before the order is placed", () => {
    const c = contributionOf("o1", { ...base, status: "expired", paymentMethod: "card", payment: { status: "canceled" }, history: history(["awaiting_payment", "2026-11-30T23:59:00Z"], ["expired", "2026-12-01T00:15:00Z"]) })!;
    assert.deepEqual([c.restaurant, c.payments, c.day], [{}, {}, "2026-11-30"], "an order counts on the day it was created");
  });

  it("counts a delivered card order: revenue, times, items, the captured payment", () => {
    const c = contributionOf("o2", {
      ...base,
      status: "delivered",
      paymentMethod: "card",
      payment: { status: "captured", amountCaptured: 2500 },
      history: history(["placed", "2026-11-30T12:00:00Z"], ["accepted", "2026-11-30T12:01:30Z"], ["preparing", "2026-11-30T12:02:00Z"], ["ready", "2026-11-30T12:21:30Z"], ["delivered", "2026-11-30T12:40:00Z"]),
    })!;
    assert.deepEqual(c.restaurant, { orders: 1, delivered: 1, revenue: 2500, acceptMs: 90_000, accepted: 1, prepareMs: 20 * 60_000, prepared: 1, "items.pizza.quantity": 2, "items.cola.quantity": 1 });
    assert.deepEqual(c.payments, { "card.EUR.capturedCount": 1, "card.EUR.capturedAmount": 2500 });
    assert.deepEqual(c.itemNames, { pizza: "Pizza", cola: "Cola" });
  });

  it("counts a refund for the restaurant and the payments, and no revenue", () => {
    const c = contributionOf("o3", { ...base, status: "refunded", paymentMethod: "card", payment: { status: "refunded", amountCaptured: 2500, amountRefunded: 2500 }, history: history(["placed", "2026-11-30T12:00:00Z"], ["accepted", "2026-11-30T12:01:00Z"], ["cancelled", "2026-11-30T12:05:00Z"]) })!;
    assert.equal(c.restaurant.revenue, undefined);
    assert.deepEqual([c.restaurant.refunds, c.restaurant.refundedAmount], [1, 2500]);
    assert.deepEqual(c.payments, { "card.EUR.capturedCount": 1, "card.EUR.capturedAmount": 2500, "card.EUR.refundedCount": 1, "card.EUR.refundedAmount": 2500 });
  });

  it("counts cash once delivered, and a failed card payment", () => {
    const cash = contributionOf("o4", { ...base, status: "delivered", paymentMethod: "cash", payment: { status: "pending_cash" }, history: history(["placed", "2026-11-30T12:00:00Z"], ["delivered", "2026-11-30T13:00:00Z"]) })!;
    assert.deepEqual(cash.payments, { "cash.EUR.capturedCount": 1, "cash.EUR.capturedAmount": 2500 });
    const failed = contributionOf("o5", { ...base, status: "awaiting_payment", paymentMethod: "card", payment: { status: "failed" }, history: [] })!;
    assert.deepEqual(failed.payments, { "card.EUR.failedCount": 1 });
  });

  it("is nothing for an order the server has not finished writing", () => {
    assert.equal(contributionOf("o6", { restaurantId: "r1", createdAt: null }), undefined);
    assert.equal(contributionOf("o7", undefined), undefined);
  });

  it("keeps an order on one shard and spreads orders over all of them", () => {
    assert.equal(shardOf("order-abc"), shardOf("order-abc"));
    const used = new Set(Array.from({ length: 200 }, (_, i) => shardOf(`order-${i}`)));
    assert.equal(used.size, PAYMENT_REPORT_SHARDS);
  });

  it("adds the difference only, and the sum of differences is the last state", () => {
    const steps: Record<string, number>[] = [{}, { orders: 1, "items.x.quantity": 2 }, { orders: 1, revenue: 900, "items.x.quantity": 2 }, { orders: 1, refunds: 1, "items.x.quantity": 2 }];
    const projected: Record<string, number> = {};
    for (let i = 1; i < steps.length; i++) sum(projected, difference(steps[i], steps[i - 1]));
    assert.deepEqual(Object.fromEntries(Object.entries(projected).filter(([, v]) => v !== 0)), steps[steps.length - 1]);
    assert.deepEqual(difference({ a: 1 }, { a: 1 }), {}, "an unchanged order changes nothing");
    assert.deepEqual(flatten(nested({ "items.x-1.quantity": 3, orders: 2 }, (n) => n)), { "items.x-1.quantity": 3, orders: 2 });
  });
});
