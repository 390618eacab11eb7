import { BROADCAST_BATCH_BULKHEAD, BROADCAST_QUEUE_LIMITS } from "../shared/bulkheads";
import { smtpPassword, twilioAuthToken } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";
import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/** One batch of a broadcast, behind the broadcast bulkhead (shared/bulkheads.ts). */
export const broadcastBatch = defineTaskHandler(
  {
    name: TASK_QUEUES.broadcastBatch,
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 2, maxBackoffSeconds: 120, maxDoublings: 4 },
    rateLimits: BROADCAST_QUEUE_LIMITS,
    options: { ...BROADCAST_BATCH_BULKHEAD, secrets: [twilioAuthToken, smtpPassword, pseudonymKey], timeoutSeconds: 300 },
  },
  async () => (await import("./broadcast.service.js")).broadcastBatch,
);
