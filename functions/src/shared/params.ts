/**
 * Every deploy-time parameter and secret of the codebase, declared once. Values come from
 * `functions/.env*` files (the emulator reads `.env.local`) or are prompted for at deploy.
 * Call `.value()` only inside handlers: at module scope it would run during deploy analysis.
 */
import { defineBoolean, defineInt } from "firebase-functions/params";

/** Reject callables that carry no valid App Check token. Off in the emulator, on in production. */
export const appCheckEnforced = defineBoolean("APP_CHECK_ENFORCED", {
  default: true,
  description: "Reject callable requests without a valid App Check token.",
});

/** Default per-user budget for a callable that declares no rate limit of its own. */
export const defaultRateLimitPerMinute = defineInt("RATE_LIMIT_PER_MINUTE", {
  default: 60,
  description: "Calls per user per minute allowed to a callable that sets no limit of its own.",
});
