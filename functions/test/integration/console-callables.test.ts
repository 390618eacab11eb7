/**
 * The admin callables behind the operator console, on their own data: who may call them, what
 * bad input gets, and the audit entry each leaves. (The console's e2e tier replays a real dead
 * letter in the browser; here are the refusals and the broadcast and trace paths.)
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { firestoreValues } from "../../src/shared/firebase";
import { restaurantWithStock } from "../support/checkout";
import { admin, callError, signInWithRole, signUp, type AppClient } from "../support/emulators";
import { eventually, kitchen, placedOrder } from "../support/workflow";

const clients: AppClient[] = [];
const seeded: string[] = [];

async function seed(path: string, data: Record<string, unknown>): Promise<void> {
  seeded.push(path);
  await admin().db.doc(path).set(data);
}

const auditOf = (field: string, value: string) => admin().db.collection("auditLog").where(field, "==", value).get();

describe("operator console callables", () => {
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    // The letters and broadcasts seeded here are nobody's work: later audits must not find them.
    await Promise.all(seeded.map((path) => admin().db.doc(path).delete()));
  });

  it("ops-replayDeadLetter: refuses non-admins, bad ids, unknown, resolved and Firestore-trigger letters, changing nothing", async () => {
    const [operator, customer, staff] = await Promise.all([signInWithRole("admin"), signUp(), signInWithRole("staff", ["r1"])]);
    clients.push(operator, customer, staff);
    const tag = randomUUID();
    const triggerLetter = `orders-onSomething__${tag}`;
    const resolvedLetter = `payments-settlePayment__${tag}`;
    await seed(`deadLetters/${triggerLetter}`, { handler: "orders-onSomething", source: "firestore", eventId: tag, payload: { document: `orders/${tag}` }, error: { name: "Error", message: "x" }, attempts: 1, correlationId: null, status: "open" });
    await seed(`deadLetters/${resolvedLetter}`, { handler: "payments-settlePayment", source: "task", eventId: tag, payload: { data: { orderId: tag } }, error: { name: "Error", message: "x" }, attempts: 5, correlationId: null, status: "resolved" });

    for (const caller of [customer, staff]) {
      const refused = await callError(caller.call(CALLABLES.replayDeadLetter, { deadLetterId: resolvedLetter }));
      assert.equal(refused.code, "functions/permission-denied");
    }
    const bad = await callError(operator.call(CALLABLES.replayDeadLetter, { deadLetterId: "deadLetters/../x" }));
    assert.equal(bad.code, "functions/invalid-argument");
    assert.equal(bad.details.reason, "invalid-request");
    assert.deepEqual((bad.details.fields as { path: string }[]).map((f) => f.path), ["deadLetterId"]);

    const unknown = await callError(operator.call(CALLABLES.replayDeadLetter, { deadLetterId: `nothing__${tag}` }));
    assert.equal(unknown.code, "functions/not-found");
    assert.equal(unknown.details.reason, "dead-letter-not-found");

    const resolved = await callError(operator.call(CALLABLES.replayDeadLetter, { deadLetterId: resolvedLetter }));
    assert.equal(resolved.code, "functions/failed-precondition");
    assert.equal(resolved.details.reason, "dead-letter-resolved");

    const trigger = await callError(operator.call(CALLABLES.replayDeadLetter, { deadLetterId: triggerLetter }));
    assert.equal(trigger.code, "functions/failed-precondition");
    assert.equal(trigger.details.reason, "dead-letter-not-replayable");

    assert.equal((await admin().db.doc(`deadLetters/${triggerLetter}`).get()).get("status"), "open");
    assert.equal((await admin().db.doc(`deadLetters/${resolvedLetter}`).get()).get("replays"), undefined);
    for (const id of [triggerLetter, resolvedLetter]) assert.equal((await auditOf("deadLetterId", id)).size, 0, "no audit entry for a refused replay");
  });

  it("notifications-resumeBroadcast: carries a stalled broadcast on, audited; refuses a finished or unknown one and non-admins", async () => {
    const [operator, staff] = await Promise.all([signInWithRole("admin"), signInWithRole("staff", ["r1"])]);
    clients.push(operator, staff);
    // A restaurant nobody has ordered from: the broadcast's segment is empty, so it reaches no one.
    const { restaurantId } = await restaurantWithStock(1);
    const stalled = `console-${randomUUID()}`;
    const done = `console-${randomUUID()}`;
    const { FieldValue } = firestoreValues();
    const broadcast = (status: string) => ({
      segment: { kind: "restaurant-customers", restaurantId },
      message: { title: "Hello", body: "A test that reaches no one." },
      link: null,
      batchSize: 10,
      status,
      cursor: null,
      batchesDone: 0,
      createdBy: "test",
      correlationId: randomUUID(),
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    await seed(`broadcasts/${stalled}`, broadcast("stalled"));
    await seed(`broadcasts/${done}`, broadcast("done"));

    assert.equal((await callError(staff.call(CALLABLES.resumeBroadcast, { broadcastId: stalled }))).code, "functions/permission-denied");
    const finished = await callError(operator.call(CALLABLES.resumeBroadcast, { broadcastId: done }));
    assert.equal(finished.code, "functions/failed-precondition");
    assert.equal(finished.details.reason, "broadcast-done");
    const unknown = await callError(operator.call(CALLABLES.resumeBroadcast, { broadcastId: `missing-${randomUUID()}` }));
    assert.equal(unknown.details.reason, "broadcast-not-found");
    assert.equal((await auditOf("broadcastId", done)).size, 0);

    const resumed = await operator.call<{ broadcastId: string; status: string }>(CALLABLES.resumeBroadcast, { broadcastId: stalled });
    assert.equal(resumed.status, "running");
    const audit = await auditOf("broadcastId", stalled);
    assert.deepEqual(audit.docs.map((d) => [d.get("action"), d.get("actorUid")]), [["broadcast.resumed", operator.user.uid]]);
    await eventually("the resumed broadcast ran to its end", async () => (await admin().db.doc(`broadcasts/${stalled}`).get()).get("status") === "done");
  });

  it("ops-orderTrace: an admin reads the spans of an order's work, as one tree per trace; others are refused", async () => {
    const operator = await signInWithRole("admin");
    const k = await kitchen();
    clients.push(operator, k.staff, k.customer);
    const order = await placedOrder(k, "cash");
    assert.equal((await callError(k.customer.call(CALLABLES.orderTrace, { orderId: order.orderId }))).code, "functions/permission-denied");

    type Trace = { source: string; traces: { traceId: string; spans: { name: string; depth: number; parentSpanId: string | null }[] }[] };
    const answer = await eventually("the checkout's spans are written", async () => {
      const trace = await operator.call<Trace>(CALLABLES.orderTrace, { orderId: order.orderId });
      return trace.traces.some((t) => t.spans.some((s) => s.name === "checkout-placeOrder")) ? trace : undefined;
    });
    assert.equal(answer.source, "local");
    const checkout = answer.traces.find((t) => t.spans.some((s) => s.name === "checkout-placeOrder"))!;
    assert.equal(checkout.spans[0].depth, 0, "each trace starts at its root");
    assert.ok(checkout.spans.slice(1).every((s) => s.depth > 0), "one tree: every other span hangs below the root");

    const none = await operator.call<Trace>(CALLABLES.orderTrace, { orderId: `none-${randomUUID()}` });
    assert.deepEqual(none.traces, []);
    const bad = await callError(operator.call(CALLABLES.orderTrace, { orderId: "a/b" }));
    assert.equal(bad.code, "functions/invalid-argument");
  });
});
