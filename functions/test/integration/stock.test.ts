/**
 * The stock race: 100 customers check out the last 10 units at the same moment. Run at service
 * level (the checkout implementation called directly, against the Firestore emulator): the
 * Functions emulator cannot serve 100 concurrent calls on this machine, see EMULATORS.md.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { checkout } from "../../src/checkout/checkout.service";
import { releaseReservation } from "../../src/inventory/stock.service";
import type { CheckoutRequest } from "../../src/contract/checkout";
import { DomainError } from "../../src/shared/errors";
import { admin } from "../support/emulators";
import { customerCaller, oneUnitCashOrder, restaurantWithStock, SOL, stockLeft } from "../support/checkout";

const caller = () => customerCaller("racer");

describe("stock under concurrency", () => {
  it("100 simultaneous checkouts of 10 units: exactly 10 orders, 90 clean sold-outs, nothing oversold or left", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(10);
    const request = (): CheckoutRequest => oneUnitCashOrder(restaurantId, itemId);
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, () =>
        checkout.run(request(), caller()).then(
          (r) => ({ kind: "ok" as const, orderId: r.orderId }),
          (e: unknown) => ({ kind: e instanceof DomainError && e.extra.reason === "out-of-stock" ? ("sold-out" as const) : ("error" as const), error: e }),
        ),
      ),
    );
    const confirmed = outcomes.filter((o) => o.kind === "ok");
    const soldOut = outcomes.filter((o) => o.kind === "sold-out");
    const errors = outcomes.filter((o) => o.kind === "error");
    assert.deepEqual(errors.map((e) => String((e as { error: unknown }).error)), []);
    assert.equal(confirmed.length, 10);
    assert.equal(soldOut.length, 90);
    const message = ((soldOut[0] as { error: DomainError }).error).message;
    assert.match(message, /Limited dish is sold out|Only \d+ of Limited dish left/);
    assert.equal(await stockLeft(restaurantId, itemId), 0);
    const movements = await admin().db.collection("stockMovements").where("restaurantId", "==", restaurantId).get();
    assert.equal(movements.size, 10, "one reserve movement per order");
  });

  it("releases a reservation exactly once, however often asked", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(3);
    const result = await checkout.run(
      { restaurantId, lines: [{ itemId, quantity: 2, modifiers: [] }], deliveryAddress: SOL, tip: 0, paymentMethod: "cash", idempotencyKey: randomUUID() },
      caller(),
    );
    assert.equal(await stockLeft(restaurantId, itemId), 1);
    const results = await Promise.all([releaseReservation(result.orderId, "test"), releaseReservation(result.orderId, "test"), releaseReservation(result.orderId, "test")]);
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal(await stockLeft(restaurantId, itemId), 3);
  });
});
