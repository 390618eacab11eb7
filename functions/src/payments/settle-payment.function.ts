import { stripeSecretKey } from "../shared/params";
import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** Captures, releases or refunds an order's card payment; retried with backoff, then dead-lettered. */
export const settlePayment = defineTaskHandler(
  { name: TASK_QUEUES.settlePayment, retryConfig: { maxAttempts: 5, minBackoffSeconds: 1, maxBackoffSeconds: 60, maxDoublings: 4 }, options: { secrets: [stripeSecretKey] } },
  async () => (await import("./settlement.service.js")).settlePayment,
);
