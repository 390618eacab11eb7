/**
 * What counts as stuck work, as data: how long an order may stay in each state, and when a
 * backlog item (a notification claim, a dead letter, a broadcast, an outbox record) has waited
 * longer than every process that should have moved it. Pure: the detector, the health check and
 * `npm run ops:status` all judge with these, so they agree.
 */
import { LEASE_MS } from "../notifications/ledger";
import { FOLLOW_UP_GRACE_MS } from "../orders/follow-ups";
import type { OrderState } from "../orders/order-state";
import { OUTBOX_OVERDUE_MS } from "../orders/outbox-sweep";

/** As the invariant auditor counts it (orders/outbox-sweep.ts). */
export { OUTBOX_OVERDUE_MS };

/** The order field an age is counted from. Deadlines (`payBefore`, `acceptBy`) count minutes past them. */
export type OrderClock = "payBefore" | "acceptBy" | "acceptedAt" | "updatedAt";

export interface StateLimit {
  clock: OrderClock;
  maxMinutes: number;
}

/**
 * How long an order may stay in a state, counted from `clock`, before it is stuck. Every state a
 * transition leaves (order-state.ts) has an entry: `null` where nothing more is owed by the
 * system (a refund after delivery or cancellation is a person's decision; a captured payment of
 * a cancelled order is the stall sweep's `release-not-settled`).
 */
export const ORDER_STATE_LIMITS: Partial<Record<OrderState, StateLimit | null>> = {
  // Waits for an admin's review (risk-listHeldOrders shows the queue): a person's decision.
  held: null,
  // The expiry task runs at payBefore, and the stall sweep (every 5 min, 2 min grace) re-drives
  // it twice within 10 minutes: past that both were lost.
  awaiting_payment: { clock: "payBefore", maxMinutes: 10 },
  // Same reasoning for the acceptance deadline enforced at acceptBy.
  placed: { clock: "acceptBy", maxMinutes: 10 },
  // Dispatch escalates after COURIER_SEARCH_MINUTES (15) and gives up at twice that, cancelling:
  // still accepted 45 minutes on, both the kitchen and dispatch have dropped it.
  accepted: { clock: "acceptedAt", maxMinutes: 45 },
  // Kitchen time: an hour and a half after acceptance no customer is still waiting happily.
  preparing: { clock: "acceptedAt", maxMinutes: 90 },
  // Ready food not picked up: the kitchen's time plus a whole courier search.
  ready: { clock: "acceptedAt", maxMinutes: 105 },
  // On the road for 90 minutes: a courier lost, or a delivery never confirmed. Counted from the
  // last change (courier offers stop at pickup, so that is the pickup or a later settlement).
  picked_up: { clock: "updatedAt", maxMinutes: 90 },
  delivered: null,
  rejected: null,
  cancelled: null,
};

/** States the detector queries, with their limits. */
export const WATCHED_STATES = Object.entries(ORDER_STATE_LIMITS).filter((entry): entry is [OrderState, StateLimit] => entry[1] !== null);

interface Stamp {
  toMillis(): number;
}

const MINUTE = 60_000;
const minutes = (ms: number) => Math.floor(ms / MINUTE);

/** The stamp before which an order in a state with `limit` is stuck at `now`. */
export const orderCutoff = (limit: StateLimit, now: number) => now - limit.maxMinutes * MINUTE;

export interface OrderStuck {
  state: OrderState;
  clock: OrderClock;
  /** Minutes since the clock's stamp (for a deadline: minutes past it). */
  ageMinutes: number;
}

/** Whether `order` is stuck in its state at `now`, and how long it has been there. */
export function orderStuck(order: { status?: string } & Partial<Record<OrderClock, Stamp | null>>, now: number): OrderStuck | null {
  const state = order.status as OrderState;
  const limit = ORDER_STATE_LIMITS[state];
  const stamp = limit ? order[limit.clock]?.toMillis() : undefined;
  if (!limit || stamp === undefined || stamp >= orderCutoff(limit, now)) return null;
  return { state, clock: limit.clock, ageMinutes: minutes(now - stamp) };
}

/** Things other than orders that can be stuck; each becomes one alert record `opsAlerts/{kind}:{id}`. */
export const BACKLOG_KINDS = ["notification-sending", "dead-letter", "broadcast-stalled", "outbox-unpublished"] as const;
export type BacklogKind = (typeof BACKLOG_KINDS)[number];

/** The ledger sweep (every ten minutes) settles a claim whose lease ran out; a claim still `sending` this long after its lease was missed by it. */
export const SENDING_PAST_LEASE_MS = 10 * MINUTE + FOLLOW_UP_GRACE_MS;
/** A running broadcast writes at every batch (one Cloud Task each, seconds apart); half an hour of silence is a lost batch. */
export const BROADCAST_SILENT_MS = 30 * MINUTE;

export interface BacklogStuck {
  /** The item's state, as the alert records it. */
  state: string;
  ageMinutes: number;
}

const millis = (value: unknown) => (value && typeof (value as Stamp).toMillis === "function" ? (value as Stamp).toMillis() : undefined);

/**
 * Whether a backlog item (the document's data) is stuck at `now`. The detector uses it to flag
 * an item and to resolve the alert of one that has since moved on.
 */
export function backlogStuck(kind: BacklogKind, data: Record<string, unknown> | undefined, now: number): BacklogStuck | null {
  if (!data) return null;
  switch (kind) {
    case "notification-sending": {
      const lease = millis(data.leaseExpiresAt);
      if (data.status !== "sending" || lease === undefined || lease + SENDING_PAST_LEASE_MS >= now) return null;
      return { state: "sending", ageMinutes: minutes(now - (millis(data.sendingSince) ?? lease - LEASE_MS)) };
    }
    case "dead-letter": {
      if (data.status !== "open") return null;
      return { state: "open", ageMinutes: minutes(now - (millis(data.recordedAt) ?? now)) };
    }
    case "broadcast-stalled": {
      const updated = millis(data.updatedAt) ?? now;
      const silent = data.status === "running" && updated + BROADCAST_SILENT_MS < now;
      if (data.status !== "stalled" && !silent) return null;
      return { state: String(data.status), ageMinutes: minutes(now - updated) };
    }
    case "outbox-unpublished": {
      const created = millis(data.createdAt);
      if (data.publishedAt !== null || created === undefined || created + OUTBOX_OVERDUE_MS >= now) return null;
      return { state: "unpublished", ageMinutes: minutes(now - created) };
    }
  }
}
