import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Withdraws an offer its courier left unanswered and asks the next nearest. */
export const expireCourierOffer = defineTaskHandler(
  { name: TASK_QUEUES.expireCourierOffer, retryConfig: { maxAttempts: 15, minBackoffSeconds: 5, maxBackoffSeconds: 60 } },
  async () => (await import("./dispatch.service.js")).expireCourierOffer,
);
