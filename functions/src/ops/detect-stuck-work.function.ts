import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId, withContext } from "../shared/context";

/** Every five minutes: flags, once each, orders and backlog items stuck longer than allowed (stuck-work.service.ts). */
export const detectStuckWork = onSchedule({ schedule: "every 5 minutes", retryCount: 0 }, async () => {
  await withContext({ correlationId: newCorrelationId(), handler: "ops-detectStuckWork" }, async () => {
    await (await import("./stuck-work.service.js")).detectStuckWork();
  });
});
