/**
 * How long an order took to reach the stages operations measure: checkout to placed (a card
 * order waits for its authorization; a cash order is placed at checkout and is not measured),
 * placed to the move that ends `placed` (the restaurant's answer, a cancellation or the
 * acceptance timeout) and placed to delivered. Computed inside the move's transaction from the
 * order as read, and carried on the outbox record, so the publisher logs it once per committed
 * move.
 */
import type { OrderState } from "./order-state";

export interface StageTiming {
  sinceCheckoutMs?: number;
  sincePlacedMs?: number;
}

/** Anything with `toMillis()`: a Firestore Timestamp. */
interface Instant {
  toMillis(): number;
}

const millis = (value: unknown): number | undefined =>
  value && typeof (value as Instant).toMillis === "function" ? (value as Instant).toMillis() : undefined;

/** The stage durations a move of `order` to `to` at `nowMs` completes; empty for other moves. */
export function stageTiming(order: { status?: unknown; createdAt?: unknown; history?: unknown }, to: OrderState, nowMs: number): StageTiming {
  if (to === "placed") {
    const checkout = millis(order.createdAt);
    return checkout === undefined ? {} : { sinceCheckoutMs: Math.max(0, nowMs - checkout) };
  }
  if (to === "delivered" || order.status === "placed") {
    const history = Array.isArray(order.history) ? (order.history as { to?: unknown; at?: unknown }[]) : [];
    const placed = millis(history.find((entry) => entry.to === "placed")?.at);
    return placed === undefined ? {} : { sincePlacedMs: Math.max(0, nowMs - placed) };
  }
  return {};
}
