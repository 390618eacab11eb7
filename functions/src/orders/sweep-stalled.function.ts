import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId, withContext } from "../shared/context";

/** Every five minutes: re-drives orders whose next step is long overdue, so none is forgotten. */
export const sweepStalled = onSchedule({ schedule: "every 5 minutes", retryCount: 0 }, async () => {
  await withContext({ correlationId: newCorrelationId(), handler: "orders-sweepStalled" }, async () => {
    await (await import("./stall-sweep.service.js")).sweepStalledOrders();
  });
});
