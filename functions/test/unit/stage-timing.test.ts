import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { stageTiming } from "../../src/orders/stage-timing";

const at = (ms: number) => ({ toMillis: () => ms });

describe("order stage timing", () => {
  it("a card order reaching placed measures from its checkout", () => {
    assert.deepEqual(stageTiming({ status: "awaiting_payment", createdAt: at(1_000) }, "placed", 4_500), { sinceCheckoutMs: 3_500 });
  });

  it("a move out of placed and a delivery measure from when the order was placed", () => {
    const history = [
      { to: "awaiting_payment", at: at(0) },
      { to: "placed", at: at(10_000) },
      { to: "accepted", at: at(70_000) },
    ];
    assert.deepEqual(stageTiming({ status: "placed", history: history.slice(0, 2) }, "accepted", 70_000), { sincePlacedMs: 60_000 });
    assert.deepEqual(stageTiming({ status: "placed", history: history.slice(0, 2) }, "cancelled", 610_000), { sincePlacedMs: 600_000 });
    assert.deepEqual(stageTiming({ status: "picked_up", history }, "delivered", 1_810_000), { sincePlacedMs: 1_800_000 });
  });

  it("other moves, and orders without the timestamps, measure nothing", () => {
    assert.deepEqual(stageTiming({ status: "accepted", history: [{ to: "placed", at: at(0) }] }, "preparing", 5_000), {});
    assert.deepEqual(stageTiming({ status: "awaiting_payment" }, "placed", 5_000), {});
    assert.deepEqual(stageTiming({ status: "picked_up", history: [] }, "delivered", 5_000), {});
  });
});
