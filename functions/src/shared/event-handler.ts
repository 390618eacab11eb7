/**
 * What Firestore triggers, Pub/Sub subscribers and task handlers share: an implementation
 * declares the schema of its input, and its work runs inside the correlation context the event
 * carries, with one log line for the outcome. See firestore-trigger.ts, subscriber.ts and
 * task-handler.ts, the counterparts of callable.ts for events.
 */
import type { ZodType } from "zod";
import { withContext } from "./context";
import { log } from "./log";

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

export interface Validated<T> {
  schema: ZodType<T>;
}

export async function runEvent(
  handler: string,
  correlationId: string,
  fields: Record<string, unknown>,
  work: () => Promise<void>,
): Promise<void> {
  return withContext({ correlationId, handler }, async () => {
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
