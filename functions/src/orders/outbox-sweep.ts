/**
 * When the outbox sweep runs and what it picks up, in one place for the scheduled function, the
 * sweep itself and the invariant auditor (which reports a record the sweep should have
 * published by now).
 */

/** How often `orders-sweepOutbox` runs. */
export const SWEEP_EVERY_MINUTES = 5;

/** Records older than this and still unpublished are swept. */
export const SWEEP_AFTER_MS = 2 * 60_000;
