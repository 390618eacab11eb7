/**
 * Diagnostics: an end-to-end probe of the event chain, callable -> Firestore trigger -> Pub/Sub
 * -> subscriber -> Cloud Task -> write-back. Each function loads on first access.
 */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  startProbe: () => require("./start-probe.function").startProbe,
  onProbeCreated: () => require("./on-probe-created.function").onProbeCreated,
  onProbeRequested: () => require("./on-probe-requested.function").onProbeRequested,
  completeProbe: () => require("./complete-probe.function").completeProbe,
});
