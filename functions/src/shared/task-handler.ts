/**
 * Task-queue functions. A failing attempt throws so Cloud Tasks retries it with backoff; the
 * last attempt's failure is dead-lettered instead, so nothing is lost silently when retries run
 * out. Payloads arrive in the envelope of tasks.ts, which carries the correlation id.
 *
 * A delayed task that arrives early (the Cloud Tasks emulator ignores schedule times) is not
 * run: it fails with NotDueYet so the queue tries it again after its backoff.
 */
import { HttpsError } from "firebase-functions/v2/https";
import { onTaskDispatched, type TaskQueueOptions } from "firebase-functions/v2/tasks";
import { acceptCorrelationId, newCorrelationId, withContext } from "./context";
import { EVENT_DEPS, runEvent, type EventDeps, type Validated } from "./event-handler";
import { log } from "./log";
import { OPS_EVENTS } from "./ops-events";
import type { TaskEnvelope } from "./tasks";
import type { TaskQueue } from "./task-queues";

export interface TaskImpl<T> extends Validated<T> {
  run(data: T, task: { taskId: string; attempt: number; finalAttempt: boolean }): Promise<void>;
  /**
   * For delayed tasks: whether the task has become pointless (the order moved on). A moot task
   * completes at once, even before its time, instead of waiting to find that out.
   */
  isMoot?(data: T): Promise<boolean>;
  /** After the last attempt failed and was dead-lettered: make it visible where it matters. */
  onGiveUp?(data: T, deadLetterId: string, error: unknown): Promise<void>;
}

export interface TaskSpec {
  name: TaskQueue;
  retryConfig: { maxAttempts: number; minBackoffSeconds: number; maxBackoffSeconds?: number; maxDoublings?: number };
  rateLimits?: TaskQueueOptions["rateLimits"];
  options?: Omit<TaskQueueOptions, "retryConfig" | "rateLimits">;
}

/**
 * Thrown for a delayed task delivered before its time. An HttpsError, so the SDK answers 503
 * (the queue retries later) without logging it as an unhandled failure.
 */
export class NotDueYet extends HttpsError {
  constructor(readonly dueInSeconds: number) {
    super("unavailable", `Task is not due for another ${dueInSeconds} s.`, { dueInSeconds });
    this.name = "NotDueYet";
  }
}

/**
 * Cloud Tasks backs off exponentially but without jitter: tasks that failed together (a
 * provider outage) would retry together. Answering each failure after a random share of the
 * minimum backoff spreads them.
 */
function jitter(minBackoffSeconds: number): Promise<void> {
  const ms = Math.random() * Math.min(minBackoffSeconds, 2) * 1000;
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Clocks of the queue and the function may differ a little. */
const EARLY_TOLERANCE_MS = 2000;

async function isMoot<T>(load: () => Promise<TaskImpl<T>>, data: unknown): Promise<boolean> {
  const impl = await load();
  if (!impl.isMoot) return false;
  const parsed = impl.schema.safeParse(data);
  return parsed.success && (await impl.isMoot(parsed.data));
}

export function defineTaskHandler<T>(spec: TaskSpec, load: () => Promise<TaskImpl<T>>, deps: EventDeps = EVENT_DEPS) {
  return onTaskDispatched<Partial<TaskEnvelope<unknown>>>(
    { ...spec.options, retryConfig: spec.retryConfig, rateLimits: spec.rateLimits },
    async (request) => {
      const envelope = request.data ?? {};
      const correlationId = acceptCorrelationId(envelope.correlationId) ?? newCorrelationId();
      const attempt = (request.retryCount ?? 0) + 1;
      const taskId = request.id ?? "unknown";
      const finalAttempt = attempt >= spec.retryConfig.maxAttempts;
      if (envelope.notBefore && Date.now() + EARLY_TOLERANCE_MS < envelope.notBefore) {
        if (await isMoot(load, envelope.data)) {
          log.info("task.moot", { handler: spec.name, taskId, attempt, correlationId });
          return;
        }
        const early = new NotDueYet(Math.ceil((envelope.notBefore - Date.now()) / 1000));
        log.info("task.not-due", { handler: spec.name, taskId, attempt, dueInSeconds: early.dueInSeconds, correlationId });
        if (!finalAttempt) throw early;
        // Never run early; out of attempts, leave it where a person will see it.
        await withContext({ correlationId, handler: spec.name }, async () => {
          const deadLetterId = await deps.recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error: early, attempts: attempt });
          log.error(OPS_EVENTS.taskGaveUp.name, early, { handler: spec.name, taskId, attempts: attempt, deadLetterId });
        });
        return;
      }
      const data = envelope.data as { orderId?: unknown } | undefined;
      const origin = { correlationId, traceparent: envelope.traceparent, orderId: data?.orderId };
      await runEvent(spec.name, origin, { taskId, attempt }, async () => {
        if (attempt > 1) log.warn(OPS_EVENTS.taskRetried.name, { handler: spec.name, taskId, attempt });
        const impl = await load();
        const parsed = impl.schema.safeParse(envelope.data);
        if (!parsed.success) {
          await deps.recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error: parsed.error, attempts: attempt });
          return;
        }
        try {
          await impl.run(parsed.data, { taskId, attempt, finalAttempt });
        } catch (error) {
          if (!finalAttempt) {
            await jitter(spec.retryConfig.minBackoffSeconds);
            throw error;
          }
          const deadLetterId = await deps.recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error, attempts: attempt });
          log.error(OPS_EVENTS.taskGaveUp.name, error, { handler: spec.name, taskId, attempts: attempt, deadLetterId });
          await impl.onGiveUp?.(parsed.data, deadLetterId, error);
          return;
        }
        if (envelope.replayOf) await deps.resolveDeadLetter(envelope.replayOf);
      });
    },
  );
}
