import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Completes a probe from its Cloud Task. */
export const completeProbe = defineTaskHandler(
  { name: TASK_QUEUES.completeProbe, retryConfig: { maxAttempts: 5, minBackoffSeconds: 1, maxBackoffSeconds: 30 } },
  async () => (await import("./probe.service.js")).completeProbe,
);
