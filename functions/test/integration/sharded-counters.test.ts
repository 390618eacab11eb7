/**
 * Sharded counters set again while they are in use: a stock count (catalog re-import) while
 * orders hold units, and a promotion redefined after some of its uses. Neither may hand out what
 * is already taken; each keeps a total on its root that accounts for every unit.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { checkout } from "../../src/checkout/checkout.service";
import { definePromotion, planPromotionReturn, planPromotionUse } from "../../src/checkout/promotions.service";
import { commitReservation, releaseReservation, setStockLevel } from "../../src/inventory/stock.service";
import { counterTotal } from "../../src/shared/sharded-counter";
import { admin, randomPhone } from "../support/emulators";
import { customerCaller, restaurantWithStock, SOL } from "../support/checkout";

const caller = () => customerCaller("counter");

async function order(restaurantId: string, itemId: string, quantity: number): Promise<string> {
  const result = await checkout.run(
    { restaurantId, lines: [{ itemId, quantity, modifiers: [] }], deliveryAddress: SOL, tip: 0, paymentMethod: "cash", idempotencyKey: randomUUID() },
    caller(),
  );
  return result.orderId;
}

/** What the item's shards hold, however many shards its root names. */
async function available(restaurantId: string, itemId: string): Promise<number> {
  const root = admin().db.doc(`inventory/${restaurantId}__${itemId}`);
  return counterTotal(root, (await root.get()).get("shards") as number);
}

/** Units the given orders' reservations hold, by status. */
async function held(orderIds: string[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = { reserved: 0, committed: 0, released: 0 };
  for (const id of orderIds) {
    const reservation = (await admin().db.doc(`stockReservations/${id}`).get()).data()!;
    for (const line of reservation.lines as { quantity: number }[]) totals[reservation.status as string] += line.quantity;
  }
  return totals;
}

/** available + reserved + committed == stocked, the invariant of the inventory root. */
async function assertAccounted(restaurantId: string, itemId: string, orderIds: string[]) {
  const stocked = (await admin().db.doc(`inventory/${restaurantId}__${itemId}`).get()).get("stocked");
  const units = await held(orderIds);
  assert.equal((await available(restaurantId, itemId)) + units.reserved + units.committed, stocked, `stocked accounts for every unit: ${JSON.stringify(units)}`);
}

describe("stock counts while orders hold units", () => {
  it("re-importing the same count changes nothing, and a cancelled order gives back only what it took", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(10);
    const a = await order(restaurantId, itemId, 3);
    assert.equal(await available(restaurantId, itemId), 7);

    const again = await setStockLevel(restaurantId, itemId, 10);
    assert.equal(await available(restaurantId, itemId), 7, "the re-import does not hand out the reserved units again");
    assert.equal(again.adjusted, 0);
    await releaseReservation(a, "test");
    assert.equal(await available(restaurantId, itemId), 10, "10 on hand, not 13");
    assert.equal((await admin().db.doc(`inventory/${restaurantId}__${itemId}`).get()).get("stocked"), 10);
    await assertAccounted(restaurantId, itemId, [a]);
  });

  it("adjusts by the difference, takes only what is free when counted below the reserved units, and survives a shard-count change", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(10);
    const sold = await order(restaurantId, itemId, 4);
    await commitReservation(sold, "test");
    const open = await order(restaurantId, itemId, 2);
    const orders = [sold, open];
    assert.equal(await available(restaurantId, itemId), 4);
    await assertAccounted(restaurantId, itemId, orders);

    // 5 on hand, 2 of them held by the open order: 3 free to sell.
    const lower = await setStockLevel(restaurantId, itemId, 5);
    assert.deepEqual({ adjusted: lower.adjusted, reserved: lower.reserved, shortfall: lower.shortfall }, { adjusted: -1, reserved: 2, shortfall: 0 });
    assert.equal(await available(restaurantId, itemId), 3);
    await assertAccounted(restaurantId, itemId, orders);

    // 1 on hand but 2 held: everything free goes, the open order keeps its units, 1 reported.
    const below = await setStockLevel(restaurantId, itemId, 1);
    assert.deepEqual({ available: below.available, shortfall: below.shortfall }, { available: 0, shortfall: 1 });
    assert.equal(await available(restaurantId, itemId), 0);
    await assertAccounted(restaurantId, itemId, orders);

    // More shards: the free units are spread again; the open order still gives back its own.
    await setStockLevel(restaurantId, itemId, 8, 20);
    assert.equal((await admin().db.doc(`inventory/${restaurantId}__${itemId}`).get()).get("shards"), 20);
    assert.equal(await available(restaurantId, itemId), 6);
    await setStockLevel(restaurantId, itemId, 8, 5);
    assert.equal((await admin().db.doc(`inventory/${restaurantId}__${itemId}`).get()).get("shards"), 20, "never fewer shards: allocations go back where they came from");
    await releaseReservation(open, "test");
    assert.equal(await available(restaurantId, itemId), 8);
    await assertAccounted(restaurantId, itemId, orders);
  });
});

describe("promotion redefined after some uses", () => {
  const year = 365 * 86_400_000;
  const define = (code: string, globalLimit: number) =>
    definePromotion({ code, kind: "amount", value: 100, currency: "EUR", minSubtotal: 0, perUserLimit: 5, globalLimit, startsAt: new Date(Date.now() - year), expiresAt: new Date(Date.now() + year), active: true });
  const use = (code: string, orderId: string) => admin().db.runTransaction(async (tx) => (await planPromotionUse(tx, code, { uid: `promo-user-${randomUUID()}`, verifiedPhone: randomPhone() }, orderId))());
  const giveBack = (orderId: string) => admin().db.runTransaction(async (tx) => (await planPromotionReturn(tx, orderId))());

  async function assertAccounted(code: string, expectedLeft: number) {
    const root = await admin().db.doc(`promotions/${code}`).get();
    const left = await counterTotal(root.ref, root.get("shards") as number);
    const used = (await admin().db.collection("promoRedemptions").where("code", "==", code).where("status", "==", "used").get()).size;
    assert.equal(left, expectedLeft);
    if (root.get("globalLimit") >= used) assert.equal(left + used, root.get("globalLimit"), "shards + uses == globalLimit");
  }

  it("keeps the uses already made, never below zero", async () => {
    const code = `REDEF${randomUUID().slice(0, 8).toUpperCase()}`;
    await define(code, 3);
    const first = `promo-order-${randomUUID()}`;
    await use(code, first);
    await use(code, `promo-order-${randomUUID()}`);
    await assertAccounted(code, 1);

    await define(code, 3);
    await assertAccounted(code, 1);
    await use(code, `promo-order-${randomUUID()}`);
    await assert.rejects(use(code, `promo-order-${randomUUID()}`), (e: { extra?: { reason?: string } }) => e.extra?.reason === "promo-exhausted");

    await giveBack(first);
    await assertAccounted(code, 1);
    await define(code, 5);
    await assertAccounted(code, 3);
    await define(code, 1);
    await assertAccounted(code, 0);
  });
});
