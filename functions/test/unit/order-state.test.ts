import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ACCEPTED_STATES, decideTransition, GIVEN_UP_STATES, OPEN_STATES, ORDER_STATES, orderEventType, TERMINAL_STATES, TRANSITIONS } from "../../src/orders/order-state";
import { isPartyTo } from "../../src/orders/transition.service";

describe("order state machine", () => {
  it("walks the happy path with the right actor at each step", () => {
    const path = [
      ["awaiting_payment", "placed", "system"],
      ["placed", "accepted", "staff"],
      ["accepted", "preparing", "staff"],
      ["preparing", "ready", "staff"],
      ["ready", "picked_up", "courier"],
      ["picked_up", "delivered", "courier"],
    ] as const;
    for (const [from, to, by] of path) assert.deepEqual(decideTransition(from, to, by), { ok: true }, `${from} -> ${to}`);
  });

  it("lets a customer cancel only before acceptance", () => {
    assert.equal(decideTransition("placed", "cancelled", "customer").ok, true);
    const late = decideTransition("accepted", "cancelled", "customer");
    assert.deepEqual([late.ok, !late.ok && late.reason], [false, "not-your-move"]);
    assert.equal(decideTransition("accepted", "cancelled", "admin").ok, true, "admins can force-cancel");
  });

  it("refuses moves that skip or reverse steps, saying why", () => {
    const skip = decideTransition("placed", "delivered", "courier");
    assert.deepEqual([skip.ok, !skip.ok && skip.reason], [false, "invalid-transition"]);
    assert.match(!skip.ok ? skip.message : "", /placed cannot become delivered/);
    assert.equal(decideTransition("delivered", "placed", "admin").ok, false);
    assert.equal(decideTransition("placed", "accepted", "courier").ok, false);
    assert.equal(decideTransition("ready", "picked_up", "staff").ok, false);
  });

  it("has no transition out of a terminal state, and every state is reachable", () => {
    assert.deepEqual([...TERMINAL_STATES].sort(), ["expired", "payment_failed", "refunded"]);
    const reachable = new Set<string>(["held", "awaiting_payment", ...TRANSITIONS.map((t) => t.to)]);
    assert.deepEqual(ORDER_STATES.filter((s) => !reachable.has(s)), []);
  });

  it("names events by state, versioned", () => {
    assert.equal(orderEventType("picked_up"), "orders.v1.picked-up");
  });

  it("ties each actor to the orders that are theirs", () => {
    const order = { customerUid: "c1", restaurantId: "r1", courierUid: "k1" };
    assert.equal(isPartyTo({ kind: "customer", id: "c1" }, order), true);
    assert.equal(isPartyTo({ kind: "customer", id: "c2" }, order), false);
    assert.equal(isPartyTo({ kind: "staff", id: "s", restaurantIds: ["r1"] }, order), true);
    assert.equal(isPartyTo({ kind: "staff", id: "s", restaurantIds: ["r2"] }, order), false);
    assert.equal(isPartyTo({ kind: "courier", id: "k2" }, order), false);
    assert.equal(isPartyTo({ kind: "courier", id: "k1" }, { ...order, courierUid: null }), false);
  });

  it("splits the states the workflow settles on: open, accepted (money due), given up (money back)", () => {
    assert.deepEqual(ACCEPTED_STATES.filter((s) => GIVEN_UP_STATES.includes(s)), [], "never both due and returned");
    assert.deepEqual(OPEN_STATES.filter((s) => GIVEN_UP_STATES.includes(s) || s === "delivered"), [], "a closed order leaves the board");
    const unsettled = ORDER_STATES.filter((s) => !ACCEPTED_STATES.includes(s) && !GIVEN_UP_STATES.includes(s));
    assert.deepEqual(unsettled, ["held", "awaiting_payment", "placed"], "only orders not yet taken on leave the money on hold");
    // Every way out of acceptance that is not delivery ends in a given-up state.
    for (const t of TRANSITIONS.filter((t) => t.from.some((f) => ACCEPTED_STATES.includes(f)) && !ACCEPTED_STATES.includes(t.to))) {
      assert.ok(GIVEN_UP_STATES.includes(t.to), t.to);
    }
  });
});
