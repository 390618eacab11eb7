import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId } from "../shared/context";
import { traceWork } from "../shared/tracing";

/** Every five minutes: re-drives orders whose next step is long overdue, so none is forgotten. */
export const sweepStalled = onSchedule({ schedule: "every 5 minutes", retryCount: 0 }, async () => {
  await traceWork({ handler: "orders-sweepStalled", role: "server", correlationId: newCorrelationId() }, async () => {
    await (await import("./stall-sweep.service.js")).sweepStalledOrders();
  });
});
