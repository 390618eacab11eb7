import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId, withContext } from "../shared/context";

/** Every ten minutes: claims whose sender died mid-call (lease run out) become `unknown`, for an operator. */
export const sweepLedger = onSchedule({ schedule: "every 10 minutes", retryCount: 0 }, async () => {
  await withContext({ correlationId: newCorrelationId(), handler: "notifications-sweepLedger" }, async () => {
    await (await import("./ledger.js")).sweepLedger();
  });
});
