/**
 * The order lifecycle as data: which state may follow which, and who may make each move.
 * Pure; `decideTransition` answers with the reason a move is refused, so callers can tell the
 * client exactly why.
 *
 *   awaiting_payment -> placed -> accepted -> preparing -> ready -> picked_up -> delivered
 *   with expired, payment_failed, rejected, cancelled and refunded along the way.
 */

export const ORDER_STATES = [
  "awaiting_payment",
  "placed",
  "accepted",
  "preparing",
  "ready",
  "picked_up",
  "delivered",
  "expired",
  "payment_failed",
  "rejected",
  "cancelled",
  "refunded",
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

/** Who moves an order: people by role, or the system (payments, timeouts, compensation). */
export type ActorKind = "customer" | "staff" | "courier" | "admin" | "system";

interface Transition {
  from: OrderState[];
  to: OrderState;
  by: ActorKind[];
}

const ACTIVE_AFTER_ACCEPTANCE: OrderState[] = ["accepted", "preparing", "ready", "picked_up"];

/** Every allowed move. Anything absent is refused. */
export const TRANSITIONS: Transition[] = [
  { from: ["awaiting_payment"], to: "placed", by: ["system"] },
  { from: ["awaiting_payment"], to: "expired", by: ["system"] },
  { from: ["awaiting_payment"], to: "payment_failed", by: ["system"] },
  { from: ["awaiting_payment", "placed"], to: "cancelled", by: ["customer", "admin", "system"] },
  { from: ["placed"], to: "accepted", by: ["staff", "admin"] },
  { from: ["placed"], to: "rejected", by: ["staff", "admin"] },
  { from: ["accepted"], to: "preparing", by: ["staff", "admin"] },
  { from: ["preparing"], to: "ready", by: ["staff", "admin"] },
  { from: ["ready"], to: "picked_up", by: ["courier", "admin"] },
  { from: ["picked_up"], to: "delivered", by: ["courier", "admin"] },
  // After acceptance only an admin (force-cancel) or the system (compensation) may cancel.
  { from: ACTIVE_AFTER_ACCEPTANCE, to: "cancelled", by: ["admin", "system"] },
  { from: ["delivered", "cancelled", "rejected"], to: "refunded", by: ["admin", "system"] },
];

/** States in which the restaurant has taken the order on: the money is due, the stock is sold. */
export const ACCEPTED_STATES: OrderState[] = [...ACTIVE_AFTER_ACCEPTANCE, "delivered"];

/** States that end an order without delivering it: what it holds is given back. */
export const GIVEN_UP_STATES: OrderState[] = ["expired", "payment_failed", "rejected", "cancelled", "refunded"];

/** States a restaurant's board shows: the order still needs someone to act. */
export const OPEN_STATES: OrderState[] = ["placed", ...ACTIVE_AFTER_ACCEPTANCE];

/** States no transition leaves (refunded orders are done; delivered ones may still be refunded). */
export const TERMINAL_STATES: OrderState[] = ORDER_STATES.filter((s) => !TRANSITIONS.some((t) => t.from.includes(s)));

export type Decision =
  | { ok: true }
  | { ok: false; reason: "invalid-transition" | "not-your-move"; message: string };

export function decideTransition(from: OrderState, to: OrderState, by: ActorKind): Decision {
  const candidates = TRANSITIONS.filter((t) => t.to === to && t.from.includes(from));
  if (candidates.length === 0) {
    return { ok: false, reason: "invalid-transition", message: `An order that is ${label(from)} cannot become ${label(to)}.` };
  }
  if (!candidates.some((t) => t.by.includes(by))) {
    return { ok: false, reason: "not-your-move", message: `A ${by} cannot make an order that is ${label(from)} ${label(to)}.` };
  }
  return { ok: true };
}

function label(state: OrderState): string {
  return state.replace(/_/g, " ");
}

/** The versioned event type an order entering `state` publishes, e.g. `orders.v1.accepted`. */
export function orderEventType(state: OrderState): string {
  return `orders.v1.${state.replace(/_/g, "-")}`;
}
