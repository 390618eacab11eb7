import { onSchedule } from "firebase-functions/v2/scheduler";
import { newCorrelationId } from "../shared/context";
import { traceWork } from "../shared/tracing";
import { SWEEP_EVERY_MINUTES } from "./outbox-sweep";

/** Every five minutes: publishes outbox records the trigger did not, so no event is lost. */
export const sweepOutbox = onSchedule({ schedule: `every ${SWEEP_EVERY_MINUTES} minutes`, retryCount: 0 }, async () => {
  await traceWork({ handler: "orders-sweepOutbox", role: "server", correlationId: newCorrelationId() }, async () => {
    const report = await (await import("./outbox.service.js")).sweepOutbox();
    // Every record was tried; a failed run shows in the scheduler's history.
    if (report.failed.length > 0) throw new Error(`${report.failed.length} outbox records could not be published; the next sweep retries them.`);
  });
});
