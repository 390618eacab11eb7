/**
 * What Firestore triggers, Pub/Sub subscribers and task handlers share: an implementation
 * declares the schema of its input, and its work runs inside the correlation context and a
 * consumer span continuing the trace the event carries, with one log line for the outcome. See
 * firestore-trigger.ts, subscriber.ts and task-handler.ts, the counterparts of callable.ts for
 * events.
 */
import type { ZodType } from "zod";
import { recordDeadLetter, resolveDeadLetter } from "./dead-letters";
import { log } from "./log";
import { traceWork } from "./tracing";

/**
 * Thrown when work should simply run again later (a provider asked to slow down): the queue
 * retries it as any failure, but it is logged as a warning, not an error.
 */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RetryLater";
  }
}

/** What the wrappers write beside the work (dead letters); unit tests pass stand-ins. */
export interface EventDeps {
  recordDeadLetter: typeof recordDeadLetter;
  resolveDeadLetter: typeof resolveDeadLetter;
}

export const EVENT_DEPS: EventDeps = { recordDeadLetter, resolveDeadLetter };

export interface Validated<T> {
  schema: ZodType<T>;
}

/** What an event carries of the work that caused it. */
export interface EventOrigin {
  correlationId: string;
  /** The `traceparent` the event arrived with; none starts a new trace. */
  traceparent?: unknown;
  /** The order the event concerns, when it names one: an attribute of the span. */
  orderId?: unknown;
}

/** Runs an event's work in a consumer span and the event's correlation context. */
export async function runEvent(
  handler: string,
  origin: EventOrigin,
  fields: Record<string, unknown>,
  work: () => Promise<void>,
): Promise<void> {
  const { correlationId } = origin;
  const parent = typeof origin.traceparent === "string" ? origin.traceparent : undefined;
  const orderId = typeof origin.orderId === "string" ? origin.orderId : undefined;
  return traceWork({ handler, role: "consumer", correlationId, parent, attributes: { orderId } }, async () => {
    const started = Date.now();
    try {
      await work();
      log.info("event.handled", { ...fields, durationMs: Date.now() - started });
    } catch (error) {
      if (error instanceof RetryLater) log.warn("event.retry-later", { ...fields, reason: error.message, durationMs: Date.now() - started });
      else log.error("event.failed", error, { ...fields, durationMs: Date.now() - started });
      throw error;
    }
  });
}
