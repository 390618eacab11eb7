/**
 * Distributed tracing on OpenTelemetry with W3C trace context: the one home of spans.
 *
 * Every entry point (callable.ts, http.ts, event-handler.ts, the scheduled sweeps, the Stripe
 * webhook, auth triggers) runs its work in a server or consumer span named after the handler,
 * parented on the `traceparent` the work arrived with (a header, a Pub/Sub attribute, the task
 * envelope, a field of the document a trigger reads) or starting a new trace. Calls to outside
 * services (faults.ts `withFault`) are client spans. The span in progress sits in the work
 * context (context.ts), so log lines carry its ids and whatever is sent on carries its
 * `traceparent`.
 *
 * An order keeps the trace of its checkout (`orders/{id}.traceparent`). A request that moves an
 * order from a trace of its own (a staff accept, a Stripe webhook) keeps its own request trace;
 * the move itself is an `order.<state>` span in the order's trace with a link to the request, and
 * what the move causes (outbox, events, tasks, notifications) continues from that span. So one
 * order is one unbroken tree from checkout to delivery, and each request stays findable.
 *
 * Export: under the emulator, to the span file TRACE_SPANS_FILE (trace-file-exporter.ts);
 * deployed, to Cloud Trace in batches, sampled by TRACE_SAMPLE_RATIO for new traces and by the
 * parent's flag otherwise, flushed before the function returns (an instance is frozen after).
 * OpenTelemetry loads when the first span starts, the Cloud Trace exporter only when deployed,
 * so a cold start loads none of it.
 */
import type { Attributes, Link, Span, SpanContext, Tracer } from "@opentelemetry/api";
import type { BasicTracerProvider, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { currentContext, withContext, type TraceContext, type WorkContext } from "./context";
import { localSetting } from "./local-stack";
import { traceSampleRatio } from "./params";
import { CALLER_PARENT, SpanFileExporter } from "./trace-file-exporter";

/** Header (and message attribute, envelope and document field) carrying the trace context. */
export const TRACEPARENT = "traceparent";

export type SpanRole = "server" | "consumer" | "client" | "internal";

type AttributeValue = string | number | boolean | null | undefined;

/** A started span, as the code around it handles it. */
export interface WorkSpan {
  readonly context: TraceContext;
  readonly traceparent: string;
  /** Adds attributes (ids, counts: never personal data). */
  annotate(attributes: Record<string, AttributeValue>): void;
  /** Ends the span: OK, or ERROR with the error's code or reason (never its message). */
  end(error?: unknown): void;
}

/** The trace context of a W3C `traceparent`; undefined for anything malformed (all-zero ids, version ff, …). */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== "string" || value.length > 512) return undefined;
  const { parseTraceParent } = require("@opentelemetry/core") as typeof import("@opentelemetry/core");
  const parsed = parseTraceParent(value);
  return parsed ? { traceId: parsed.traceId, spanId: parsed.spanId, sampled: (parsed.traceFlags & 1) === 1 } : undefined;
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.sampled ? "01" : "00"}`;
}

/** `traceparent` of the span in progress, to send on with work; undefined outside a span. */
export function currentTraceparent(): string | undefined {
  const trace = currentContext()?.trace;
  return trace ? formatTraceparent(trace) : undefined;
}

interface Runtime {
  api: typeof import("@opentelemetry/api");
  tracer: Tracer;
  provider: BasicTracerProvider;
}

let runtime: Runtime | undefined;
/** Spans in progress by span id, so `annotateSpan` can reach the current one. */
const open = new Map<string, Span>();

const DEFAULT_SAMPLE_RATIO = 0.1;

function sampleRatio(): number {
  const raw = traceSampleRatio.value().trim();
  const ratio = raw === "" ? NaN : Number(raw);
  return Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : DEFAULT_SAMPLE_RATIO;
}

/** Deployed on Cloud Functions / Cloud Run (not the emulator, not a test process). */
function deployed(): boolean {
  return process.env.FUNCTIONS_EMULATOR !== "true" && !!(process.env.K_SERVICE || process.env.FUNCTION_TARGET);
}

/**
 * Where finished spans go: the span file under the emulator, Cloud Trace when deployed, and
 * nowhere for service code run in a test process (spans still give ids to propagate).
 */
function spanProcessor(sdk: typeof import("@opentelemetry/sdk-trace-base")): SpanProcessor | undefined {
  const file = localSetting("TRACE_SPANS_FILE");
  if (file) return new sdk.SimpleSpanProcessor(new SpanFileExporter(file));
  if (!deployed()) return undefined;
  const { TraceExporter } = require("@google-cloud/opentelemetry-cloud-trace-exporter") as typeof import("@google-cloud/opentelemetry-cloud-trace-exporter");
  return new sdk.BatchSpanProcessor(new TraceExporter());
}

function tracing(): Runtime {
  if (runtime) return runtime;
  const api = require("@opentelemetry/api") as typeof import("@opentelemetry/api");
  const sdk = require("@opentelemetry/sdk-trace-base") as typeof import("@opentelemetry/sdk-trace-base");
  const { Resource } = require("@opentelemetry/resources") as typeof import("@opentelemetry/resources");
  const processor = spanProcessor(sdk);
  const provider = new sdk.BasicTracerProvider({
    // A caller's sampled flag decides; new traces are sampled at the configured ratio.
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(sampleRatio()) }),
    resource: new Resource({ "service.name": process.env.K_SERVICE ?? "food-delivery-functions" }),
    spanProcessors: processor ? [processor] : [],
  });
  runtime = { api, provider, tracer: provider.getTracer("food-delivery-functions") };
  return runtime;
}

function spanContextOf(trace: TraceContext): SpanContext {
  return { traceId: trace.traceId, spanId: trace.spanId, traceFlags: trace.sampled ? 1 : 0, isRemote: true };
}

function attributesOf(values: Record<string, AttributeValue> | undefined): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(values ?? {})) if (value !== undefined && value !== null) attributes[key] = value;
  return attributes;
}

/**
 * What a span's status says of a failure: a code and a reason (`failed-precondition/order-not-found`,
 * `ECONNREFUSED`, `card_declined`), or the error's class name. Messages are left out: they may
 * hold personal data.
 */
export function outcomeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "error";
  const e = error as { code?: unknown; name?: unknown; extra?: { reason?: unknown }; details?: { reason?: unknown } };
  const code = typeof e.code === "string" || typeof e.code === "number" ? String(e.code) : typeof e.name === "string" ? e.name : "error";
  const reason = e.extra?.reason ?? e.details?.reason;
  return (typeof reason === "string" ? `${code}/${reason}` : code).replace(/[^\w.:/-]/g, "_").slice(0, 120);
}

/**
 * Starts a span. `parent` is a trace context or a `traceparent` string (a malformed one starts a
 * new trace); without one the span starts a new trace.
 */
export function startSpan(spec: {
  name: string;
  role: SpanRole;
  parent?: TraceContext | string;
  links?: TraceContext[];
  attributes?: Record<string, AttributeValue>;
}): WorkSpan {
  const { api, tracer } = tracing();
  const parent = typeof spec.parent === "string" ? parseTraceparent(spec.parent) : spec.parent;
  const parentContext = parent ? api.trace.setSpanContext(api.ROOT_CONTEXT, spanContextOf(parent)) : api.ROOT_CONTEXT;
  const kinds = { server: api.SpanKind.SERVER, consumer: api.SpanKind.CONSUMER, client: api.SpanKind.CLIENT, internal: api.SpanKind.INTERNAL };
  const links: Link[] = (spec.links ?? []).map((link) => ({ context: spanContextOf(link) }));
  // A request's span continuing the caller's trace: its parent lives in the app, not in our spans.
  const attributes = { ...spec.attributes, ...(spec.role === "server" && parent ? { [CALLER_PARENT]: "caller" } : {}) };
  const span = tracer.startSpan(spec.name, { kind: kinds[spec.role], attributes: attributesOf(attributes), links }, parentContext);
  const own = span.spanContext();
  const context: TraceContext = { traceId: own.traceId, spanId: own.spanId, sampled: (own.traceFlags & 1) === 1 };
  open.set(context.spanId, span);
  return {
    context,
    traceparent: formatTraceparent(context),
    annotate: (attributes) => span.setAttributes(attributesOf(attributes)),
    end: (error) => {
      if (error === undefined) span.setStatus({ code: api.SpanStatusCode.OK });
      else span.setStatus({ code: api.SpanStatusCode.ERROR, message: outcomeOf(error) });
      span.end();
      open.delete(context.spanId);
    },
  };
}

/** Adds attributes (an order id once known) to the span in progress, if any. */
export function annotateSpan(attributes: Record<string, AttributeValue>): void {
  const spanId = currentContext()?.trace?.spanId;
  if (spanId) open.get(spanId)?.setAttributes(attributesOf(attributes));
}

/** Sends finished spans on before the function returns (deployed, the batch would wait otherwise). */
export async function flushSpans(): Promise<void> {
  await runtime?.provider.forceFlush().catch(() => undefined);
}

export interface EntrySpec {
  /** The handler, e.g. `checkout-placeOrder`: names the span. */
  handler: string;
  role: "server" | "consumer";
  correlationId: string;
  /** The incoming `traceparent`, if the work came with one. */
  parent?: string;
  uid?: string;
  attributes?: Record<string, AttributeValue>;
}

/** Runs `work` with `span` as the work context's current span; ends the span with the outcome. */
async function inSpan<T>(span: WorkSpan, context: WorkContext, work: () => Promise<T>): Promise<T> {
  try {
    const result = await withContext({ ...context, trace: span.context }, work);
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

/**
 * Runs the work of an entry point in its span and work context, ends the span with the outcome
 * and flushes before returning. A failure is recorded and thrown on.
 */
export async function traceWork<T>(spec: EntrySpec, work: () => Promise<T>): Promise<T> {
  const span = startSpan({ name: spec.handler, role: spec.role, parent: spec.parent, attributes: { ...spec.attributes, correlationId: spec.correlationId, handler: spec.handler } });
  try {
    return await inSpan(span, { correlationId: spec.correlationId, handler: spec.handler, uid: spec.uid }, work);
  } finally {
    await flushSpans();
  }
}

/**
 * A call to something outside (`stripe.capture`, `pubsub.publish:<topic>`) as a client span of
 * the work in progress; outside any span (a script, a test process) the call runs untraced.
 */
export async function traceCall<T>(name: string, call: () => Promise<T>): Promise<T> {
  const context = currentContext();
  if (!context?.trace) return call();
  const span = startSpan({ name, role: "client", parent: context.trace, attributes: { correlationId: context.correlationId, handler: context.handler } });
  return inSpan(span, context, call);
}

/**
 * Runs `work` (a step a sweep takes for an order) in the order's trace: inside a traced unit of
 * another trace, as an `order.<step>` span, child of the order's checkout and linked to the
 * current span; already in the order's trace, or outside any span, as it is.
 */
export async function inOrderTrace<T>(orderTrace: unknown, step: string, attributes: Record<string, AttributeValue>, work: () => Promise<T>): Promise<T> {
  const order = parseTraceparent(orderTrace);
  const context = currentContext();
  if (!order || !context?.trace || context.trace.traceId === order.traceId) return work();
  const span = startSpan({
    name: `order.${step}`,
    role: "internal",
    parent: order,
    links: [context.trace],
    attributes: { ...attributes, correlationId: context.correlationId, handler: context.handler },
  });
  return inSpan(span, context, work);
}

/**
 * The `traceparent` a step of an order's workflow hands on: the current span when the work is
 * already in the order's trace; a request with a trace of its own gets a short `order.<step>`
 * span in the order's trace, child of its checkout and linked to the request's span; work
 * outside any span (an admin script) hands on the order's own context, since a span of its
 * would never be exported. Called inside a transaction, a retried attempt leaves one more
 * `order.<step>` span, harmless.
 */
export function orderTraceparent(orderTrace: unknown, step: string, attributes: Record<string, AttributeValue> = {}): string | undefined {
  const order = parseTraceparent(orderTrace);
  const context = currentContext();
  const current = context?.trace;
  if (!order || current?.traceId === order.traceId) return current ? formatTraceparent(current) : undefined;
  if (!current) return formatTraceparent(order);
  const span = startSpan({
    name: `order.${step}`,
    role: "internal",
    parent: order,
    links: [current],
    attributes: { ...attributes, correlationId: context?.correlationId, handler: context?.handler },
  });
  span.end();
  return span.traceparent;
}
