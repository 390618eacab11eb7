import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId } from "../shared/context";
import { traceWork } from "../shared/tracing";

/** Every ten minutes: claims whose sender died mid-call (lease run out) become `unknown`, for an operator. */
export const sweepLedger = onSchedule({ schedule: "every 10 minutes", retryCount: 0 }, async () => {
  await traceWork({ handler: "notifications-sweepLedger", role: "server", correlationId: newCorrelationId() }, async () => {
    await (await import("./ledger.js")).sweepLedger();
  });
});
