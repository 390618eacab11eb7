/**
 * The order lifecycle as data, shared by the server (orders/order-state.ts decides moves with
 * it) and the app (what an order may become next, and who may make it so). Pure data: no
 * server code, so the app imports exactly the table the server enforces.
 *
 *   awaiting_payment -> placed -> accepted -> preparing -> ready -> picked_up -> delivered
 *   with expired, payment_failed, rejected, cancelled and refunded along the way. A checkout the
 *   fraud rules hold (risk/rules.ts) starts as `held` and waits for an admin: approved, it becomes
 *   awaiting_payment (card) or placed (cash); rejected, cancelled.
 */

export const ORDER_STATES = [
  "held",
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
/** An order's `status`, as `orders/{id}` and the restaurant board show it. */
export type OrderState = (typeof ORDER_STATES)[number];

/** Who moves an order: people by role, or the system (payments, timeouts, compensation). */
export const ACTOR_KINDS = ["customer", "staff", "courier", "admin", "system"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface OrderTransition {
  from: readonly OrderState[];
  to: OrderState;
  by: readonly ActorKind[];
}

const ACTIVE_AFTER_ACCEPTANCE: readonly OrderState[] = ["accepted", "preparing", "ready", "picked_up"];

/** Every allowed move. Anything absent is refused (`failed-precondition` / `invalid-transition`). */
export const ORDER_TRANSITIONS: readonly OrderTransition[] = [
  // Held for review: neither paid for nor shown to the restaurant until an admin approves it.
  { from: ["held"], to: "awaiting_payment", by: ["admin"] },
  { from: ["held"], to: "placed", by: ["admin"] },
  { from: ["awaiting_payment"], to: "placed", by: ["system"] },
  { from: ["awaiting_payment"], to: "expired", by: ["system"] },
  { from: ["awaiting_payment"], to: "payment_failed", by: ["system"] },
  { from: ["held", "awaiting_payment", "placed"], to: "cancelled", by: ["customer", "admin", "system"] },
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
export const TERMINAL_STATES: OrderState[] = ORDER_STATES.filter((s) => !ORDER_TRANSITIONS.some((t) => t.from.includes(s)));

/** The way an order goes when all goes well, in order: the steps of a progress view. */
export const ORDER_PROGRESS: readonly OrderState[] = ["awaiting_payment", "placed", "accepted", "preparing", "ready", "picked_up", "delivered"];

/** What an order in `from` may become next; with `by`, only the moves that actor may make (a customer's cancel button). */
export function nextOrderStates(from: OrderState, by?: ActorKind): OrderState[] {
  return ORDER_TRANSITIONS.filter((t) => t.from.includes(from) && (by === undefined || t.by.includes(by))).map((t) => t.to);
}
