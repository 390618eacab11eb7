import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Expires a card order whose payment window closed. */
export const expireUnpaidOrder = defineTaskHandler(
  // Generous attempts: under the emulator, early deliveries of this delayed task use some up.
  { name: TASK_QUEUES.expireUnpaidOrder, retryConfig: { maxAttempts: 20, minBackoffSeconds: 5, maxBackoffSeconds: 300 } },
  async () => (await import("./expiry.service.js")).expireUnpaidOrder,
);
