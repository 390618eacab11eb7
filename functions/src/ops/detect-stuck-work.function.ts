import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId } from "../shared/context";
import { traceWork } from "../shared/tracing";

/** Every five minutes: flags, once each, orders and backlog items stuck longer than allowed (stuck-work.service.ts). */
export const detectStuckWork = onSchedule({ schedule: "every 5 minutes", retryCount: 0 }, async () => {
  await traceWork({ handler: "ops-detectStuckWork", role: "server", correlationId: newCorrelationId() }, async () => {
    await (await import("./stuck-work.service.js")).detectStuckWork();
  });
});
