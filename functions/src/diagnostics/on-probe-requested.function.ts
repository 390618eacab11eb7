import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Hands an announced probe to the Cloud Tasks queue. */
export const onProbeRequested = defineSubscriber(
  { name: "diagnostics-onProbeRequested", topic: TOPICS.probeRequested },
  async () => (await import("./probe.service.js")).scheduleProbeCompletion,
);
