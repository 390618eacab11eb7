/**
 * Task-queue functions. A failing attempt throws so Cloud Tasks retries it with backoff; the
 * last attempt's failure is dead-lettered instead, so nothing is lost silently when retries run
 * out. Payloads arrive in the envelope of tasks.ts, which carries the correlation id.
 */
import { onTaskDispatched, type TaskQueueOptions } from "firebase-functions/v2/tasks";
import { acceptCorrelationId, newCorrelationId } from "./context";
import { recordDeadLetter } from "./dead-letters";
import { runEvent, type Validated } from "./event-handler";
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

export function defineTaskHandler<T>(spec: TaskSpec, load: () => Promise<TaskImpl<T>>) {
  return onTaskDispatched<Partial<TaskEnvelope<unknown>>>(
    { ...spec.options, retryConfig: spec.retryConfig, rateLimits: spec.rateLimits },
    async (request) => {
      const envelope = request.data ?? {};
      const correlationId = acceptCorrelationId(envelope.correlationId) ?? newCorrelationId();
      const attempt = (request.retryCount ?? 0) + 1;
      const taskId = request.id ?? "unknown";
      const finalAttempt = attempt >= spec.retryConfig.maxAttempts;
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
