/**
 * Operations: the health check an uptime check and the on-call read, and the detector that flags
 * stuck work once for a person. Each function loads on first access.
 */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  health: () => require("./health.function").health,
  detectStuckWork: () => require("./detect-stuck-work.function").detectStuckWork,
  replayDeadLetter: () => require("./replay-dead-letter.function").replayDeadLetter,
  orderTrace: () => require("./order-trace.function").orderTrace,
});
