/**
 * What the system owes an order, and by when. Every order that waits on the system (a payment
 * window, the restaurant's acceptance clock, the courier search, a payment to settle) carries
 * the time its next step is due; a step long overdue means a task, a message or a process was
 * lost. The stall sweep re-drives such orders and the invariant auditor reports them.
 * Pure: it reads the order's fields only.
 */
import type { OrderState } from "./order-state";

/** How late a follow-up may run before it counts as lost (queue latency, retries' backoff). */
export const FOLLOW_UP_GRACE_MS = 2 * 60_000;

export type Stall =
  | "payment-window-not-closed"
  | "acceptance-deadline-not-enforced"
  | "dispatch-not-driven"
  | "dispatch-not-escalated"
  | "capture-not-settled"
  | "release-not-settled";

interface Stamp {
  toMillis(): number;
}

/** The fields of an order this module reads (as firebase-admin returns them). */
export interface FollowUpFields {
  status: OrderState;
  payBefore?: Stamp | null;
  acceptBy?: Stamp | null;
  acceptedAt?: Stamp | null;
  updatedAt?: Stamp | null;
  courierUid?: string | null;
  attention?: { reason?: string } | null;
  payment?: { provider?: string; status?: string } | null;
  dispatch?: {
    offer?: { expiresAt?: Stamp } | null;
    dueAt?: Stamp | null;
    escalateAt?: Stamp | null;
    escalated?: boolean;
  } | null;
}

const AWAITING_COURIER: OrderState[] = ["accepted", "preparing", "ready"];
const MONEY_DUE: OrderState[] = ["accepted", "preparing", "ready", "picked_up", "delivered"];
const MONEY_RETURNED: OrderState[] = ["expired", "payment_failed", "rejected", "cancelled"];
/** Card payment states that still hold or keep money an order given up must return. */
const MONEY_HELD = ["requires_action", "authorized", "captured", "partially_refunded"];

const overdue = (stamp: Stamp | null | undefined, now: number) => !stamp || stamp.toMillis() + FOLLOW_UP_GRACE_MS < now;

/**
 * The stall of `order` at `now`, or null when every step it waits for is still on time (or an
 * operator has already been asked to look: an attention flag).
 */
export function stallOf(order: FollowUpFields, now: number): Stall | null {
  if (order.attention) return null;
  const since = (order.updatedAt?.toMillis() ?? 0) + FOLLOW_UP_GRACE_MS;
  switch (order.status) {
    case "awaiting_payment":
      return overdue(order.payBefore, now) ? "payment-window-not-closed" : null;
    case "placed":
      return overdue(order.acceptBy, now) ? "acceptance-deadline-not-enforced" : null;
  }
  if (order.payment?.provider === "stripe" && since < now) {
    if (MONEY_DUE.includes(order.status) && order.payment.status === "authorized") return "capture-not-settled";
    if (MONEY_RETURNED.includes(order.status) && MONEY_HELD.includes(order.payment.status ?? "")) return "release-not-settled";
  }
  if (AWAITING_COURIER.includes(order.status) && !order.courierUid) {
    const dispatch = order.dispatch ?? {};
    if (!dispatch.escalated && dispatch.escalateAt && overdue(dispatch.escalateAt, now)) return "dispatch-not-escalated";
    const next = dispatch.offer?.expiresAt ?? dispatch.dueAt;
    if (overdue(next, now) && since < now) return "dispatch-not-driven";
  }
  return null;
}
