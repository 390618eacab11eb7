import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Cancels an order the restaurant did not accept in time. */
export const enforceAcceptanceDeadline = defineTaskHandler(
  // Generous attempts: under the emulator, early deliveries of this delayed task use some up.
  { name: TASK_QUEUES.enforceAcceptanceDeadline, retryConfig: { maxAttempts: 20, minBackoffSeconds: 5, maxBackoffSeconds: 300 } },
  async () => (await import("./deadlines.service.js")).enforceAcceptanceDeadline,
);
