/**
 * Order transitions against the Firestore emulator: history and outbox written with the
 * change, ownership enforced, and a race between two actors won by exactly one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { transitionOrder } from "../../src/orders/transition.service";
import { DomainError } from "../../src/shared/errors";
import { admin } from "../support/emulators";

async function placedOrder(): Promise<string> {
  const ref = admin().db.collection("orders").doc();
  await ref.set({ customerUid: "cust-1", restaurantId: "rest-1", status: "placed", history: [], total: { amount: 1000, currency: "EUR" } });
  return ref.id;
}

const customer = { kind: "customer" as const, id: "cust-1" };
const staff = { kind: "staff" as const, id: "staff-1", restaurantIds: ["rest-1"] };

describe("order transitions", () => {
  it("records who moved the order, why, and an outbox event, in one write", async () => {
    const orderId = await placedOrder();
    const result = await transitionOrder(orderId, "accepted", staff, "staff accepted");
    const order = (await admin().db.doc(`orders/${orderId}`).get()).data()!;
    assert.equal(order.status, "accepted");
    assert.deepEqual(
      order.history.map((h: Record<string, unknown>) => [h.by, h.byKind, h.from, h.to, h.why]),
      [["staff-1", "staff", "placed", "accepted", "staff accepted"]],
    );
    const event = (await admin().db.doc(`outbox/${result.eventId}`).get()).data()!;
    assert.deepEqual([event.type, event.orderId, event.from, event.to], ["orders.v1.accepted", orderId, "placed", "accepted"]);
  });

  it("refuses another restaurant's staff and another customer, changing nothing", async () => {
    const orderId = await placedOrder();
    for (const actor of [{ kind: "staff" as const, id: "s2", restaurantIds: ["rest-2"] }, { kind: "customer" as const, id: "cust-2" }]) {
      await assert.rejects(transitionOrder(orderId, actor.kind === "staff" ? "accepted" : "cancelled", actor, "test"), (e: unknown) => e instanceof DomainError && e.code === "permission-denied");
    }
    assert.equal((await admin().db.doc(`orders/${orderId}`).get()).get("status"), "placed");
  });

  it("lets exactly one of a cancel and an accept arriving together win", async () => {
    for (let round = 0; round < 5; round += 1) {
      const orderId = await placedOrder();
      const outcomes = await Promise.allSettled([
        transitionOrder(orderId, "cancelled", customer, "customer changed their mind"),
        transitionOrder(orderId, "accepted", staff, "staff accepted"),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
      assert.equal(won.length, 1, `round ${round}`);
      assert.equal(lost.length, 1);
      assert.ok(lost[0].reason instanceof DomainError && lost[0].reason.code === "failed-precondition", String(lost[0].reason));
      const order = (await admin().db.doc(`orders/${orderId}`).get()).data()!;
      assert.equal(order.history.length, 1, "one transition recorded");
      const events = await admin().db.collection("outbox").where("orderId", "==", orderId).get();
      assert.equal(events.size, 1, "one event announced");
    }
  });
});
