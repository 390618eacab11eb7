import { defineDocumentCreated } from "../shared/firestore-trigger";

/** Announces a new probe on Pub/Sub. */
export const onProbeCreated = defineDocumentCreated(
  { name: "diagnostics-onProbeCreated", document: "probes/{probeId}" },
  async () => (await import("./probe.service.js")).announceProbe,
);
