/**
 * When the outbox sweep runs and what it picks up, in one place for the scheduled function, the
 * sweep itself, the invariant auditor and the stuck-work detector (which report a record the
 * sweep should have published by now).
 */
import { FOLLOW_UP_GRACE_MS } from "./follow-ups";

/** How often `orders-sweepOutbox` runs. */
export const SWEEP_EVERY_MINUTES = 5;

/** Records older than this and still unpublished are swept. */
export const SWEEP_AFTER_MS = 2 * 60_000;

/** An outbox record unpublished this long was missed by the trigger and by the sweep after it (plus grace). */
export const OUTBOX_OVERDUE_MS = SWEEP_AFTER_MS + SWEEP_EVERY_MINUTES * 60_000 + FOLLOW_UP_GRACE_MS;
