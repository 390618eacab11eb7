import { DELIVER_BULKHEAD, DELIVER_QUEUE_LIMITS } from "../shared/bulkheads";
import { smtpPassword, twilioAuthToken } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";
import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/**
 * Delivers one message to one person on their channels. Providers that ask to slow down, or are
 * down (a send their breaker refused never left), get exponential backoff from 2 s to 2 min over
 * ten attempts: about eight minutes, long enough to wait out a provider's blip and short
 * enough that an order update is still news. After the last attempt the message is settled as failed.
 */
export const deliver = defineTaskHandler(
  {
    name: TASK_QUEUES.deliverNotification,
    retryConfig: { maxAttempts: 10, minBackoffSeconds: 2, maxBackoffSeconds: 120, maxDoublings: 6 },
    rateLimits: DELIVER_QUEUE_LIMITS,
    options: { ...DELIVER_BULKHEAD, secrets: [twilioAuthToken, smtpPassword, pseudonymKey] },
  },
  async () => (await import("./deliver.service.js")).deliver,
);
