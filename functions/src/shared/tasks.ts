/**
 * Enqueuing Cloud Tasks for task-queue functions. Payloads travel in an envelope that carries the
 * correlation id, so the task handler logs and writes under the id of the request that caused it.
 */
import { correlationId } from "./context";
import { functionsAdmin } from "./firebase";
import { log } from "./log";
import type { TaskQueue } from "./task-queues";

export interface TaskEnvelope<T> {
  correlationId: string;
  data: T;
  /** Epoch ms before which the task must not run (delayed tasks; see task-handler.ts). */
  notBefore?: number;
  /** Set by the dead-letter replay: the dead letter this task retries, closed when it succeeds. */
  replayOf?: string;
}

export interface EnqueueOptions {
  /** A deterministic id makes enqueueing idempotent: a second enqueue with it is a no-op. */
  id?: string;
  scheduleDelaySeconds?: number;
}

/** Enqueues `data` for the task function `functionName` (its deployed name, e.g. `orders-expire`). */
export async function enqueueTask<T>(functionName: TaskQueue, data: T, options: EnqueueOptions = {}): Promise<void> {
  const notBefore = options.scheduleDelaySeconds ? Date.now() + options.scheduleDelaySeconds * 1000 : undefined;
  const envelope: TaskEnvelope<T> = { correlationId: correlationId(), data, ...(notBefore ? { notBefore } : {}) };
  try {
    await functionsAdmin().taskQueue(functionName).enqueue(envelope, options);
    log.info("task.enqueued", { functionName, taskId: options.id, delaySeconds: options.scheduleDelaySeconds });
  } catch (error) {
    if ((error as { code?: string }).code === "functions/task-already-exists") {
      log.info("task.already-enqueued", { functionName, taskId: options.id });
      return;
    }
    throw error;
  }
}
