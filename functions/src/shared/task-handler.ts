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
import { recordDeadLetter } from "./dead-letters";
import { runEvent, type Validated } from "./event-handler";
import { log } from "./log";
import type { TaskEnvelope } from "./tasks";
import type { TaskQueue } from "./task-queues";

export interface TaskImpl<T> extends Validated<T> {
  run(data: T, task: { taskId: string; attempt: number; finalAttempt: boolean }): Promise<void>;
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

/** Clocks of the queue and the function may differ a little. */
const EARLY_TOLERANCE_MS = 2000;

export function defineTaskHandler<T>(spec: TaskSpec, load: () => Promise<TaskImpl<T>>) {
  return onTaskDispatched<Partial<TaskEnvelope<unknown>>>(
    { ...spec.options, retryConfig: spec.retryConfig, rateLimits: spec.rateLimits },
    async (request) => {
      const envelope = request.data ?? {};
      const correlationId = acceptCorrelationId(envelope.correlationId) ?? newCorrelationId();
      const attempt = (request.retryCount ?? 0) + 1;
      const taskId = request.id ?? "unknown";
      const finalAttempt = attempt >= spec.retryConfig.maxAttempts;
      if (envelope.notBefore && Date.now() + EARLY_TOLERANCE_MS < envelope.notBefore) {
        const early = new NotDueYet(Math.ceil((envelope.notBefore - Date.now()) / 1000));
        log.info("task.not-due", { handler: spec.name, taskId, attempt, dueInSeconds: early.dueInSeconds, correlationId });
        if (!finalAttempt) throw early;
        // Never run early; out of attempts, leave it where a person will see it.
        return withContext({ correlationId, handler: spec.name }, () =>
          recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error: early, attempts: attempt }),
        );
      }
      await runEvent(spec.name, correlationId, { taskId, attempt }, async () => {
        const impl = await load();
        const parsed = impl.schema.safeParse(envelope.data);
        if (!parsed.success) {
          return recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error: parsed.error, attempts: attempt });
        }
        try {
          await impl.run(parsed.data, { taskId, attempt, finalAttempt });
        } catch (error) {
          if (!finalAttempt) throw error;
          await recordDeadLetter({ handler: spec.name, source: "task", eventId: taskId, payload: envelope, error, attempts: attempt });
        }
      });
    },
  );
}
