import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** No courier in time: flags the order and widens the search; later, cancels it. */
export const escalateDispatch = defineTaskHandler(
  // Generous attempts: under the emulator, early deliveries of this delayed task use some up.
  { name: TASK_QUEUES.escalateDispatch, retryConfig: { maxAttempts: 20, minBackoffSeconds: 5, maxBackoffSeconds: 300 } },
  async () => (await import("./dispatch.service.js")).escalateDispatch,
);
