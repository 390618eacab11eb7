/**
 * The request context that follows one piece of work through async code: the correlation id
 * that ties a client request to every trigger, message and task it causes, and the handler name.
 * Log lines pick it up on their own (log.ts), so handlers never pass it by hand.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/** The W3C trace context of the span in progress (shared/tracing.ts starts and ends spans). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

export interface WorkContext {
  correlationId: string;
  /** The function handling the work, e.g. `diagnostics-startProbe`. */
  handler: string;
  uid?: string;
  /** The span this work runs in, once tracing has started one. */
  trace?: TraceContext;
}

const storage = new AsyncLocalStorage<WorkContext>();

/** Runs `fn` with `context` visible to every log line and helper below it. */
export function withContext<T>(context: WorkContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): WorkContext | undefined {
  return storage.getStore();
}

/** Correlation id of the work in progress; a fresh one outside any context. */
export function correlationId(): string {
  return storage.getStore()?.correlationId ?? newCorrelationId();
}

export function newCorrelationId(): string {
  return randomUUID();
}

/** Header a client (or a proxy) may set to carry its own correlation id. */
export const CORRELATION_HEADER = "x-correlation-id";

const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Accepts a caller-supplied correlation id (header or message attribute) only when it is a
 * plausible id, so nothing a client sends can break a log line or a document id.
 */
export function acceptCorrelationId(candidate: unknown): string | undefined {
  return typeof candidate === "string" && ACCEPTABLE_ID.test(candidate) ? candidate : undefined;
}
