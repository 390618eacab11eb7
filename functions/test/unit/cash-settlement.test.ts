import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RecordCashCollectionRequest } from "../../src/contract/delivery";
import { cashDay, reconciliationId, totalsOf } from "../../src/payments/cash-reconciliation";
import { CASH_PAYMENT_TRANSITIONS, decideCashMove } from "../../src/payments/cash-state";

describe("cash payment lifecycle", () => {
  it("moves pending_cash to collected (by the courier) or canceled (by the order's end), nothing else", () => {
    assert.deepEqual(decideCashMove("pending_cash", "collected", "courier"), { ok: true });
    assert.deepEqual(decideCashMove("pending_cash", "canceled", "order"), { ok: true });
    assert.equal(CASH_PAYMENT_TRANSITIONS.length, 2);
  });

  it("never moves a settled payment again, nor lets the wrong party move it", () => {
    assert.deepEqual(decideCashMove("collected", "collected", "courier"), { ok: false, reason: "invalid-transition" });
    assert.deepEqual(decideCashMove("collected", "canceled", "order"), { ok: false, reason: "invalid-transition" });
    assert.deepEqual(decideCashMove("canceled", "collected", "courier"), { ok: false, reason: "invalid-transition" });
    assert.deepEqual(decideCashMove("captured", "collected", "courier"), { ok: false, reason: "invalid-transition" });
    assert.deepEqual(decideCashMove("pending_cash", "collected", "order"), { ok: false, reason: "not-your-move" });
  });

  it("takes only whole minor units of a currency code", () => {
    const good = { orderId: "o1", collected: { amount: 1250, currency: "EUR" } };
    assert.equal(RecordCashCollectionRequest.safeParse(good).success, true);
    const bad = RecordCashCollectionRequest.safeParse({ orderId: "o1", collected: { amount: 12.5, currency: "eur" } });
    assert.deepEqual(bad.error!.issues.map((issue) => issue.path.join(".")).sort(), ["collected.amount", "collected.currency"]);
    assert.equal(RecordCashCollectionRequest.safeParse({ orderId: "o1", collected: { amount: -1, currency: "EUR" } }).success, false);
  });
});

describe("a courier's cash day", () => {
  it("is the calendar day of delivery in the cash time zone", () => {
    // 23:30 UTC on 30 November is already 1 December in Madrid.
    assert.equal(cashDay(new Date("2026-11-30T23:30:00Z"), "Europe/Madrid"), "2026-12-01");
    assert.equal(cashDay(new Date("2026-11-30T23:30:00Z"), "UTC"), "2026-11-30");
    assert.equal(reconciliationId("c1", "2026-12-01", "EUR"), "c1_2026-12-01_EUR");
  });

  it("totals every order, flags short and over collection with their amounts, and waits for unrecorded ones", () => {
    assert.deepEqual(totalsOf({ a: { expected: 1000, collected: 1000 }, b: { expected: 500, collected: null } }), { expected: 1500, collected: 1000, unrecordedOrders: 1, short: 0, over: 0, flagged: false });
    assert.deepEqual(totalsOf({ a: { expected: 1000, collected: 800 }, b: { expected: 500, collected: 700 } }), { expected: 1500, collected: 1500, unrecordedOrders: 0, short: 200, over: 200, flagged: true });
  });
});
