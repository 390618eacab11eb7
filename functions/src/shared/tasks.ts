/**
 * Enqueuing Cloud Tasks for task-queue functions. Payloads travel in an envelope that carries the
 * correlation id and the trace context, so the task handler logs and writes under the id of the request that caused it.
 *
 * Task names: Cloud Tasks refuses a name for a long while after its task ran (hours to days), so
 * a name may stand for one piece of work only, never for "the next round of the same work".
 * Under the emulator, which reserves nothing and ignores schedule times, tasks go through the
 * local task relay (scripts/dev/task-relay.ts) that does both as Cloud Tasks would.
 */
import { correlationId } from "./context";
import { withFault } from "./faults";
import { functionsAdmin } from "./firebase";
import { localSetting } from "./local-stack";
import { log } from "./log";
import type { TaskQueue } from "./task-queues";
import { currentTraceparent } from "./tracing";

export interface TaskEnvelope<T> {
  correlationId: string;
  /** W3C trace context of the enqueue span: the task's span continues it. */
  traceparent?: string;
  data: T;
  /** Epoch ms before which the task must not run (delayed tasks; see task-handler.ts). */
  notBefore?: number;
  /** Set by the dead-letter replay: the dead letter this task retries, closed when it succeeds. */
  replayOf?: string;
}

export interface EnqueueOptions {
  /**
   * A deterministic id makes enqueueing idempotent: a second enqueue with it is refused, and
   * answered `already-exists`. Use it only for work that happens once under that name.
   */
  id?: string;
  scheduleDelaySeconds?: number;
}

export type Enqueued = "enqueued" | "already-exists";

/**
 * Enqueues `data` for the task function `functionName` (its deployed name, e.g. `orders-expire`).
 * Answers `already-exists` when a task of that id was enqueued before: for a once-only task
 * that is success; a caller that needed a new task chose a reused name.
 */
export async function enqueueTask<T>(functionName: TaskQueue, data: T, options: EnqueueOptions = {}): Promise<Enqueued> {
  const notBefore = options.scheduleDelaySeconds ? Date.now() + options.scheduleDelaySeconds * 1000 : undefined;
  const envelope: TaskEnvelope<T> = { correlationId: correlationId(), data, ...(notBefore ? { notBefore } : {}) };
  const outcome = await withFault(`tasks.enqueue:${functionName}`, () => {
    const traceparent = currentTraceparent();
    return send(functionName, traceparent ? { ...envelope, traceparent } : envelope, options);
  });
  if (outcome === "already-exists") log.info("task.already-enqueued", { functionName, taskId: options.id });
  else log.info("task.enqueued", { functionName, taskId: options.id, delaySeconds: options.scheduleDelaySeconds });
  return outcome;
}

/**
 * Enqueues a complete envelope as it stands (its correlation and trace context kept), under no
 * task id: the dead-letter replay sends a failed task's original payload again.
 */
export async function enqueueEnvelope(functionName: TaskQueue, envelope: Record<string, unknown>): Promise<Enqueued> {
  return send(functionName, envelope as unknown as TaskEnvelope<unknown>, {});
}

async function send<T>(functionName: TaskQueue, envelope: TaskEnvelope<T>, options: EnqueueOptions): Promise<Enqueued> {
  const relay = localSetting("TASK_RELAY_URL");
  if (relay) {
    const answer = await fetch(`${relay}/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ queue: functionName, id: options.id, envelope, delaySeconds: options.scheduleDelaySeconds }),
    }).catch(() => undefined);
    if (answer?.status === 409) return "already-exists";
    if (answer?.ok) return "enqueued";
    log.warn("task.relay-unavailable", { functionName, status: answer?.status ?? null });
    // No relay running (emulators started by hand): straight to the Tasks emulator.
  }
  try {
    await functionsAdmin().taskQueue(functionName).enqueue(envelope, options);
    return "enqueued";
  } catch (error) {
    if ((error as { code?: string }).code === "functions/task-already-exists") return "already-exists";
    throw error;
  }
}
