/**
 * Traces across every hop, in the emulators: a card order driven from checkout to delivered
 * leaves spans in the local span file that form one tree rooted at `checkout-placeOrder`, with
 * the Firestore trigger, Pub/Sub publishes and subscribers, a task, the Stripe calls and the
 * delivered push among them; a callable continues the trace of a `traceparent` header, and a
 * malformed header starts a new trace.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import type { StartProbeResponse } from "../../src/contract/diagnostics";
import type { SpanLine } from "../../src/shared/trace-file-exporter";
import { buildTree, readSpanFile, tracesFor, type SpanNode } from "../../src/shared/trace-waterfall";
import { functionUrl, signInWithRole, signUp } from "../support/emulators";
import { journey } from "../support/journey";
import { courierAt, eventually, kitchen } from "../support/workflow";

const SPANS_FILE = process.env.TRACE_SPANS_FILE;

function spansFile(): string {
  assert.ok(SPANS_FILE, "TRACE_SPANS_FILE is set for the emulators (scripts/dev/emulator-env.ts)");
  return SPANS_FILE;
}

const names = (node: SpanNode): string[] => [node.span.name, ...node.children.flatMap(names)];
const find = (node: SpanNode, name: string): SpanNode | undefined => (node.span.name === name ? node : node.children.map((c) => find(c, name)).find(Boolean));

/** Calls a callable over plain HTTP, as the app's SDK does, with headers of our choosing. */
async function callWithHeaders<T>(name: string, idToken: string, data: unknown, headers: Record<string, string>): Promise<T> {
  const response = await fetch(functionUrl(name), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${idToken}`, ...headers },
    body: JSON.stringify({ data }),
  });
  const body = (await response.json()) as { result?: T; error?: unknown };
  assert.equal(response.status, 200, JSON.stringify(body));
  return body.result as T;
}

/** Hops the order's trace must hold: trigger, publish, subscribers, a task, Stripe and the push. */
const HOPS = [
  "stripe.authorize",
  "orders-publishOrderEvent",
  "pubsub.publish:orders.v1.events",
  "payments-onOrderEvent",
  "tasks.enqueue:payments-settlePayment",
  "payments-settlePayment",
  "stripe.capture",
  "notifications-onNotificationRequest",
  "notifications-deliver",
  "order.accepted",
  "order.delivered",
  "fcm.send",
];

describe("tracing across hops", () => {
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("a card order from checkout to delivered is one tree rooted at its checkout, reaching the delivered push", async () => {
    const k = await kitchen();
    const courier = await courierAt(k.location);
    const operator = await signInWithRole("admin");
    clients.push(k.staff, k.customer, courier, operator);
    const run = await journey(k, courier, operator, "card", "delivered");
    assert.ok(run.orderId, `no order was made: ${run.stuck}`);
    assert.equal(run.stuck, undefined);

    // Spans land as each hop ends; the delivered push comes after the order is delivered, behind
    // whatever the notification queue holds from earlier tests when the whole suite runs.
    const deadline = Date.now() + 180_000;
    let tree = buildTree([]);
    for (;;) {
      const [orderTrace] = tracesFor(readSpanFile(spansFile()), run.orderId);
      tree = buildTree(orderTrace ?? []);
      const delivered = tree.roots.map((r) => find(r, "order.delivered")).find(Boolean);
      const seen = new Set(tree.roots.flatMap(names));
      const complete = delivered && find(delivered, "fcm.send") && HOPS.every((hop) => seen.has(hop)) && tree.orphans.length === 0;
      if (complete || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    assert.equal(tree.roots.length, 1, `one root; roots: ${tree.roots.map((r) => r.span.name).join(", ")}`);
    assert.deepEqual(tree.orphans.map((o) => `${o.span.name} (parent ${o.span.parentSpanId})`), [], "no span's parent is missing");
    const root = tree.roots[0];
    assert.equal(root.span.name, "checkout-placeOrder");
    assert.equal(root.span.parentSpanId, null);
    const all = names(root);
    for (const hop of HOPS) {
      assert.ok(all.includes(hop), `the trace has a ${hop} span; it has: ${[...new Set(all)].sort().join(", ")}`);
    }
    // The delivered push hangs under the move to delivered, through the trigger, event and task.
    const delivered = find(root, "order.delivered")!;
    const push = find(delivered, "fcm.send")!;
    assert.ok(push, `fcm.send under order.delivered: ${names(delivered).join(" > ")}`);
    assert.equal(push.span.status, "OK");
    const capture = find(root, "stripe.capture")!;
    assert.equal(capture.span.kind, "client");
    assert.equal(capture.span.status, "OK");
    // The staff's accept call is a trace of its own, which the order's accept span links to.
    const accept = find(root, "order.accepted")!;
    assert.equal(accept.span.links.length, 1);
    const requests = readSpanFile(spansFile()).filter((s: SpanLine) => s.spanId === accept.span.links[0].spanId);
    assert.equal(requests[0]?.name, "orders-restaurantAction");
  });

  it("a callable continues the trace of its traceparent header, and its trigger continues the callable's span", async () => {
    const user = await signUp();
    clients.push(user);
    const traceId = randomBytes(16).toString("hex");
    const parentId = randomBytes(8).toString("hex");
    const { correlationId } = await callWithHeaders<StartProbeResponse>("diagnostics-startProbe", await user.user.getIdToken(), { label: "trace" }, { traceparent: `00-${traceId}-${parentId}-01` });

    const spans = await eventually("the callable's and trigger's spans", async () => {
      const found = readSpanFile(spansFile()).filter((s) => s.attributes.correlationId === correlationId);
      return found.some((s) => s.name === "diagnostics-onProbeCreated") ? found : undefined;
    });
    const callable = spans.find((s) => s.name === "diagnostics-startProbe")!;
    assert.equal(callable.traceId, traceId);
    assert.equal(callable.parentSpanId, parentId);
    const trigger = spans.find((s) => s.name === "diagnostics-onProbeCreated")!;
    assert.equal(trigger.traceId, traceId);
    assert.equal(trigger.parentSpanId, callable.spanId);
  });

  it("a malformed traceparent header starts a new trace", async () => {
    const user = await signUp();
    clients.push(user);
    const zeros = "0".repeat(32);
    const parentId = randomBytes(8).toString("hex");
    const { correlationId } = await callWithHeaders<StartProbeResponse>("diagnostics-startProbe", await user.user.getIdToken(), {}, { traceparent: `00-${zeros}-${parentId}-01` });
    const callable = await eventually("the callable's span", async () => readSpanFile(spansFile()).find((s) => s.attributes.correlationId === correlationId && s.name === "diagnostics-startProbe"));
    assert.match(callable.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(callable.traceId, zeros);
    assert.equal(callable.parentSpanId, null);
  });
});
