import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Looks for a free courier again, while nobody has taken the order. */
export const searchCourier = defineTaskHandler(
  { name: TASK_QUEUES.searchCourier, retryConfig: { maxAttempts: 10, minBackoffSeconds: 5, maxBackoffSeconds: 60 } },
  async () => (await import("./dispatch.service.js")).searchCourier,
);
