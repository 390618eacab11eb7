/**
 * Tracing without emulators: W3C traceparent parsing and validation, the trace fields of log
 * lines, what an error puts in a span's status, the local span file's line shape (through a real
 * entry span and a client span), and the waterfall renderer on a fixed set of spans.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { currentContext, withContext } from "../../src/shared/context";
import { failedPrecondition } from "../../src/shared/errors";
import { entry, traceFields } from "../../src/shared/log";
import type { SpanLine } from "../../src/shared/trace-file-exporter";
import { buildTree, isUnbroken, renderWaterfall, tracesFor } from "../../src/shared/trace-waterfall";
import { currentTraceparent, formatTraceparent, inOrderTrace, orderTraceparent, outcomeOf, parseTraceparent, traceCall, traceWork } from "../../src/shared/tracing";

// The tracer reads these once, on the first span: every span of this file goes to SPANS.
const SPANS = join(mkdtempSync(join(tmpdir(), "spans-")), "spans.jsonl");
process.env.FUNCTIONS_EMULATOR = "true";
process.env.TRACE_SPANS_FILE = SPANS;
process.env.TRACE_SAMPLE_RATIO = "1";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

const spanLines = (): SpanLine[] => readFileSync(SPANS, "utf8").trim().split("\n").map((l) => JSON.parse(l) as SpanLine);

describe("traceparent", () => {
  it("parses a valid header into trace id, span id and the sampled flag", () => {
    assert.deepEqual(parseTraceparent(VALID), { traceId: TRACE_ID, spanId: SPAN_ID, sampled: true });
    assert.deepEqual(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-00`), { traceId: TRACE_ID, spanId: SPAN_ID, sampled: false });
  });

  it("formats what it parses, unchanged", () => {
    assert.equal(formatTraceparent(parseTraceparent(VALID)!), VALID);
  });

  const malformed: Record<string, unknown> = {
    "all-zero trace id": `00-${"0".repeat(32)}-${SPAN_ID}-01`,
    "all-zero span id": `00-${TRACE_ID}-${"0".repeat(16)}-01`,
    "version ff": `ff-${TRACE_ID}-${SPAN_ID}-01`,
    "version 00 with a trailing part": `${VALID}-extra`,
    "upper-case hex": `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
    "short trace id": `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`,
    "missing flags": `00-${TRACE_ID}-${SPAN_ID}`,
    "not hex": `00-${"z".repeat(32)}-${SPAN_ID}-01`,
    "empty": "",
    "an array (repeated header)": [VALID, VALID],
    "a huge value": `${VALID}${" ".repeat(1000)}`,
  };
  for (const [name, value] of Object.entries(malformed)) {
    it(`refuses ${name}`, () => assert.equal(parseTraceparent(value), undefined));
  }
});

describe("span status", () => {
  it("names a domain error by code and reason, never by message", () => {
    const outcome = outcomeOf(failedPrecondition("Lucía's order at Calle Mayor 1 moved on", "order-moved-on"));
    assert.equal(outcome, "failed-precondition/order-moved-on");
  });

  it("names a socket-style failure by its code, and anything else by its class", () => {
    assert.equal(outcomeOf(Object.assign(new Error("connect ECONNREFUSED 10.0.0.1"), { code: "ECONNREFUSED" })), "ECONNREFUSED");
    assert.equal(outcomeOf(new TypeError("cannot read x of lucia@example.test")), "TypeError");
  });
});

describe("log lines", () => {
  it("carry the Cloud Logging trace fields of the span in progress, and keep the correlation id", () => {
    const trace = { traceId: TRACE_ID, spanId: SPAN_ID, sampled: true };
    const fields = withContext({ correlationId: "corr-12345678", handler: "checkout-placeOrder", trace }, () => entry({ orderId: "o1" }));
    assert.equal(fields["logging.googleapis.com/trace"], `projects/${process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT}/traces/${TRACE_ID}`);
    assert.equal(fields["logging.googleapis.com/spanId"], SPAN_ID);
    assert.equal(fields["logging.googleapis.com/trace_sampled"], true);
    assert.equal(fields.correlationId, "corr-12345678");
    assert.equal(fields.orderId, "o1");
  });

  it("name the project in the trace resource", () => {
    assert.equal(traceFields({ traceId: TRACE_ID, spanId: SPAN_ID, sampled: false }, "demo-x")["logging.googleapis.com/trace"], `projects/demo-x/traces/${TRACE_ID}`);
  });

  it("carry no trace fields outside a span", () => {
    const fields = withContext({ correlationId: "corr-12345678", handler: "h" }, () => entry({}));
    assert.equal(fields["logging.googleapis.com/spanId"], undefined);
  });
});

describe("spans in the local file", () => {
  it("an entry span continues the incoming trace; a client span is its child; each is one JSON line", async () => {
    let seenInside: string | undefined;
    await traceWork({ handler: "checkout-placeOrder", role: "server", correlationId: "corr-abcdefgh", parent: VALID, attributes: { orderId: "order-1" } }, async () => {
      seenInside = currentTraceparent();
      await traceCall("stripe.authorize", async () => "ok");
      await assert.rejects(traceCall("fcm.send", async () => Promise.reject(Object.assign(new Error("to +34600123456"), { code: "ECONNREFUSED" }))));
    });
    const lines = spanLines();
    const server = lines.find((l) => l.name === "checkout-placeOrder")!;
    const client = lines.find((l) => l.name === "stripe.authorize")!;
    const failed = lines.find((l) => l.name === "fcm.send")!;
    assert.equal(server.traceId, TRACE_ID);
    assert.equal(server.parentSpanId, SPAN_ID);
    assert.equal(server.kind, "server");
    assert.equal(server.status, "OK");
    assert.deepEqual([server.attributes.correlationId, server.attributes.handler, server.attributes.orderId, server.attributes["trace.parent"]], ["corr-abcdefgh", "checkout-placeOrder", "order-1", "caller"]);
    assert.equal(seenInside, `00-${TRACE_ID}-${server.spanId}-01`);
    assert.equal(client.parentSpanId, server.spanId);
    assert.equal(client.kind, "client");
    assert.equal(failed.status, "ERROR");
    assert.equal(failed.statusMessage, "ECONNREFUSED");
    for (const line of [server, client, failed]) {
      assert.match(line.spanId, /^[0-9a-f]{16}$/);
      assert.ok(line.endMs >= line.startMs && line.durationMs >= 0, JSON.stringify(line));
      assert.ok(Math.abs(line.startMs - Date.now()) < 60_000, "start is epoch milliseconds");
    }
    assert.doesNotMatch(readFileSync(SPANS, "utf8"), /\+34600123456/);
  });

  it("a malformed incoming traceparent starts a new trace", async () => {
    await traceWork({ handler: "orders-cancelOrder", role: "server", correlationId: "corr-malformed", parent: `00-${"0".repeat(32)}-${SPAN_ID}-01` }, async () => undefined);
    const span = spanLines().find((l) => l.attributes.correlationId === "corr-malformed")!;
    assert.notEqual(span.traceId, "0".repeat(32));
    assert.equal(span.parentSpanId, null);
  });

  it("a failing entry records the error code and reason and throws it on", async () => {
    await assert.rejects(traceWork({ handler: "orders-restaurantAction", role: "server", correlationId: "corr-refused" }, async () => {
      throw failedPrecondition("Nope.", "order-moved-on");
    }));
    const span = spanLines().find((l) => l.attributes.correlationId === "corr-refused")!;
    assert.deepEqual([span.status, span.statusMessage], ["ERROR", "failed-precondition/order-moved-on"]);
  });

  it("work in another trace that moves an order continues the order's trace, linked to the request", async () => {
    const orderTrace = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
    let handedOn: string | undefined;
    let request: string | undefined;
    await traceWork({ handler: "orders-restaurantAction", role: "server", correlationId: "corr-accept-1" }, async () => {
      request = currentContext()!.trace!.spanId;
      handedOn = orderTraceparent(orderTrace, "accepted", { orderId: "order-9" });
    });
    const hop = spanLines().find((l) => l.name === "order.accepted")!;
    assert.equal(hop.traceId, "a".repeat(32));
    assert.equal(hop.parentSpanId, "b".repeat(16));
    assert.equal(hop.links[0].spanId, request);
    assert.equal(handedOn, `00-${"a".repeat(32)}-${hop.spanId}-01`);
  });

  it("a sweep's step for an order runs in the order's trace, linked to the sweep", async () => {
    const orderTrace = `00-${"c".repeat(32)}-${"d".repeat(16)}-01`;
    let inside: string | undefined;
    let sweep: string | undefined;
    await traceWork({ handler: "orders-sweepStalled", role: "server", correlationId: "corr-sweep-1" }, async () => {
      sweep = currentContext()!.trace!.spanId;
      await inOrderTrace(orderTrace, "redrive", { orderId: "order-7", stall: "capture-not-settled" }, async () => {
        inside = currentTraceparent();
      });
      assert.equal(currentContext()!.trace!.spanId, sweep, "the sweep's own context is back afterwards");
    });
    const hop = spanLines().find((l) => l.name === "order.redrive")!;
    assert.equal(hop.traceId, "c".repeat(32));
    assert.equal(hop.parentSpanId, "d".repeat(16));
    assert.equal(hop.links[0].spanId, sweep);
    assert.equal(hop.attributes.stall, "capture-not-settled");
    assert.equal(inside, `00-${"c".repeat(32)}-${hop.spanId}-01`);
  });

  it("work outside any span (a script) hands on the order's own trace context", () => {
    const orderTrace = `00-${"e".repeat(32)}-${"f".repeat(16)}-01`;
    const before = spanLines().length;
    assert.equal(orderTraceparent(orderTrace, "cancelled"), orderTrace);
    assert.equal(spanLines().length, before, "no span that nobody would export");
  });

  it("work already in the order's trace hands on its own span", async () => {
    await traceWork({ handler: "payments-settlePayment", role: "consumer", correlationId: "corr-settle-1", parent: VALID }, async () => {
      assert.equal(orderTraceparent(VALID, "captured"), currentTraceparent());
    });
  });
});

/** A span of the fixed set: `at` and `ms` in milliseconds from 1e12. */
function span(name: string, spanId: string, parentSpanId: string | null, at: number, ms: number, extra: Partial<SpanLine> = {}): SpanLine {
  return { traceId: "t1", spanId, parentSpanId, name, kind: "server", startMs: 1e12 + at, endMs: 1e12 + at + ms, durationMs: ms, status: "OK", attributes: {}, links: [], ...extra };
}

describe("waterfall", () => {
  const whole = [
    span("checkout-placeOrder", "a", null, 0, 100, { attributes: { orderId: "o1", correlationId: "c1" } }),
    span("stripe.authorize", "b", "a", 10, 30, { kind: "client" }),
    span("orders-publishOrderEvent", "c", "a", 120, 20, { attributes: { orderId: "o1" } }),
    span("pubsub.publish:orders.v1.events", "d", "c", 125, 10, { kind: "client" }),
    span("payments-onOrderEvent", "e", "d", 150, 50, { status: "ERROR", statusMessage: "ECONNRESET" }),
    span("other-trace", "z", null, 0, 5, { traceId: "t2", attributes: { correlationId: "c2" } }),
  ];

  it("draws the tree indented by depth, with offsets, durations, status and a bar", () => {
    const { lines, tree } = renderWaterfall(whole.filter((s) => s.traceId === "t1"));
    assert.ok(isUnbroken(tree));
    assert.equal(tree.spanCount, 5);
    const row = (name: string) => lines.find((l) => l.trimStart().startsWith(name))!;
    assert.match(row("checkout-placeOrder"), /^checkout-placeOrder\s+\+0\.0ms\s+100\.0ms\s+\|█+\s*\| OK/);
    assert.match(row("stripe.authorize"), /^ {2}stripe\.authorize\s+\+10\.0ms\s+30\.0ms/);
    assert.match(row("pubsub.publish"), /^ {4}pubsub\.publish/);
    assert.match(row("payments-onOrderEvent"), /^ {6}payments-onOrderEvent\s+\+150\.0ms\s+50\.0ms\s+\|\s+█+\| ERROR ECONNRESET/);
    // children follow their parent, in start order
    assert.deepEqual(lines.slice(2).map((l) => l.trim().split(/\s+/)[0]), ["checkout-placeOrder", "stripe.authorize", "orders-publishOrderEvent", "pubsub.publish:orders.v1.events", "payments-onOrderEvent"]);
  });

  it("finds an order's trace by order id and a trace by correlation id", () => {
    assert.deepEqual(tracesFor(whole, "o1").map((t) => t.length), [5]);
    assert.deepEqual(tracesFor(whole, "c2").map((t) => t[0].name), ["other-trace"]);
    assert.deepEqual(tracesFor(whole, "nothing"), []);
  });

  it("shows a span whose parent is missing as broken", () => {
    const broken = whole.filter((s) => s.traceId === "t1" && s.spanId !== "c");
    const { lines, tree } = renderWaterfall(broken);
    assert.equal(isUnbroken(tree), false);
    assert.deepEqual(tree.orphans.map((o) => o.span.name), ["pubsub.publish:orders.v1.events"]);
    assert.match(lines.find((l) => l.startsWith("pubsub.publish"))!, /BROKEN: parent c missing/);
    assert.match(lines[0], /1 root, 1 orphan/);
  });

  it("counts two roots in one trace as broken, and a root continuing the caller's trace as a root", () => {
    assert.equal(isUnbroken(buildTree([span("a", "a", null, 0, 1), span("b", "b", null, 1, 1)])), false);
    const continued = buildTree([span("checkout-placeOrder", "a", "app-span", 0, 1, { attributes: { "trace.parent": "caller" } })]);
    assert.ok(isUnbroken(continued));
  });
});
