/**
 * Who a notification waits for. A recipient without a profile may be a new account whose
 * sign-up trigger has not run yet (wait and retry), or an account that does not exist (deleted
 * since): retrying that one only holds up the delivery queue for everyone else.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { deliver } from "../../src/notifications/deliver.service";
import { RetryLater } from "../../src/shared/event-handler";
import { admin } from "../support/emulators";
import { eventually } from "../support/workflow";

describe("notification recipients", () => {
  const requestId = `recipients-${randomUUID()}`;
  const orderId = `recipients-${randomUUID()}`;
  const newAccount = `recipients-new-${randomUUID()}`;
  const task = (uid: string) => ({ kind: "order" as const, requestId, audience: "customer" as const, uid });
  const attempt = { taskId: "t", attempt: 1, finalAttempt: false };

  before(async () => {
    await admin().db.doc(`orders/${orderId}`).set({ status: "placed", restaurantName: "Recipients", lines: [{ quantity: 1 }], total: { amount: 1000, currency: "EUR" } });
    await admin().db.doc(`notificationRequests/${requestId}`).set({ type: "orders.v1.placed", orderId });
    // An account Auth knows whose profile is not there: the sign-up trigger writes it, so wait
    // for that and take it away again (a trigger that has not run yet, as a deliver task sees it).
    await admin().auth.createUser({ uid: newAccount });
    const profile = admin().db.doc(`users/${newAccount}`);
    await eventually("the sign-up trigger's profile", async () => (await profile.get()).exists);
    await profile.delete();
  });

  after(async () => {
    await Promise.all([admin().db.doc(`orders/${orderId}`).delete(), admin().db.doc(`notificationRequests/${requestId}`).delete(), admin().auth.deleteUser(newAccount)]);
  });

  it("waits for the profile of an account that exists", async () => {
    await assert.rejects(deliver.run(task(newAccount), attempt), (error) => error instanceof RetryLater);
  });

  it("gives up at once on an account that does not exist", async () => {
    await deliver.run(task(`recipients-gone-${randomUUID()}`), attempt);
    const ledger = await admin().db.collection("notifications").where("orderId", "==", orderId).get();
    assert.equal(ledger.size, 0, "nothing was sent or claimed");
  });
});
