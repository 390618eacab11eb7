/** Operations callables behind the operator console. Only users with the `admin` role may call them. */
import { z } from "zod";
import { Id } from "./primitives.js";

/**
 * Replays a dead letter once its cause is fixed: a task is enqueued again with its original
 * payload, a message published again with its original attributes. The letter becomes
 * `replayed`, and `resolved` when the work succeeds. Audited.
 */
export const ReplayDeadLetterRequest = z.strictObject({
  /** `{handler}__{eventId}` (shared/dead-letters.ts): a function name, then a task, message or event id. */
  deadLetterId: z.string().min(1).max(400).regex(/^[\w.:@=+-]+$/, "Not a dead letter id."),
});
export type ReplayDeadLetterRequest = z.infer<typeof ReplayDeadLetterRequest>;

export const ReplayDeadLetterResponse = z.object({
  deadLetterId: z.string(),
  status: z.literal("replayed"),
  source: z.enum(["task", "pubsub"]),
  handler: z.string(),
});
export type ReplayDeadLetterResponse = z.infer<typeof ReplayDeadLetterResponse>;

/** The spans recorded for an order (locally, from the emulator's span file; deployed, in Cloud Trace). */
export const OrderTraceRequest = z.strictObject({ orderId: Id });
export type OrderTraceRequest = z.infer<typeof OrderTraceRequest>;

export const TraceSpan = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  /** Depth in its trace's tree (0: the root). */
  depth: z.number(),
  /** Epoch ms. */
  startMs: z.number(),
  durationMs: z.number(),
  outcome: z.string().nullable(),
});
export type TraceSpan = z.infer<typeof TraceSpan>;

export const OrderTraceResponse = z.object({
  orderId: z.string(),
  /** `local`: spans below; `cloud-trace`: none here, `url` says where to look. */
  source: z.enum(["local", "cloud-trace"]),
  url: z.string().nullable(),
  traces: z.array(z.object({ traceId: z.string(), spans: z.array(TraceSpan) })),
});
export type OrderTraceResponse = z.infer<typeof OrderTraceResponse>;
