/**
 * An order's trace waterfall for the operator console. Under the emulator the spans are in the
 * local span file (TRACE_SPANS_FILE, written by the Functions emulator's tracer); deployed, they
 * are in Cloud Trace, and the answer says where to look instead. Spans are not in Firestore, so
 * the page asks this admin callable rather than reading them itself.
 */
import { existsSync } from "node:fs";
import { OrderTraceRequest, type OrderTraceResponse, type TraceSpan } from "../contract/ops";
import type { CallableImpl } from "../shared/callable";
import { buildTree, readSpanFile, tracesFor, type SpanNode } from "../shared/trace-waterfall";

/** Spans shown per trace at most: a waterfall longer than this is read with `npm run trace`. */
const MAX_SPANS = 200;

function flatten(nodes: SpanNode[], depth: number, into: TraceSpan[]): TraceSpan[] {
  for (const { span, children } of nodes) {
    if (into.length >= MAX_SPANS) break;
    into.push({
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: span.name,
      depth,
      startMs: span.startMs,
      durationMs: span.durationMs,
      outcome: span.status === "ERROR" ? (span.statusMessage ?? "error") : null,
    });
    flatten(children, depth + 1, into);
  }
  return into;
}

export function orderTrace(orderId: string, spanFile = process.env.TRACE_SPANS_FILE): OrderTraceResponse {
  if (process.env.FUNCTIONS_EMULATOR !== "true" || !spanFile) {
    const project = process.env.GCLOUD_PROJECT ?? "";
    return { orderId, source: "cloud-trace", url: `https://console.cloud.google.com/traces/list?project=${encodeURIComponent(project)}`, traces: [] };
  }
  const spans = existsSync(spanFile) ? readSpanFile(spanFile) : [];
  const traces = tracesFor(spans, orderId).map((trace) => {
    const tree = buildTree(trace);
    return { traceId: trace[0].traceId, spans: flatten([...tree.roots, ...tree.orphans], 0, []) };
  });
  return { orderId, source: "local", url: null, traces };
}

export const orderTraceCallable: CallableImpl<OrderTraceRequest, OrderTraceResponse> = {
  input: OrderTraceRequest,
  run: async ({ orderId }) => orderTrace(orderId),
};
