import { twilioAuthToken } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";
import { defineTaskHandler } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";

/**
 * One batch of a broadcast. One batch at a time, at most two a second: promotions are never in a
 * hurry, and FCM and Twilio quotas are shared with order updates.
 */
export const broadcastBatch = defineTaskHandler(
  {
    name: TASK_QUEUES.broadcastBatch,
    retryConfig: { maxAttempts: 5, minBackoffSeconds: 2, maxBackoffSeconds: 120, maxDoublings: 4 },
    rateLimits: { maxConcurrentDispatches: 1, maxDispatchesPerSecond: 2 },
    options: { secrets: [twilioAuthToken, pseudonymKey], memory: "512MiB", timeoutSeconds: 300 },
  },
  async () => (await import("./broadcast.service.js")).broadcastBatch,
);
