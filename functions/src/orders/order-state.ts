/**
 * The order lifecycle as data: which state may follow which, and who may make each move.
 * The table itself is in the contract (contract/order-states.ts), so the app shows the moves the
 * server enforces. Pure; `decideTransition` answers with the reason a move is refused, so callers
 * can tell the client exactly why.
 *
 *   awaiting_payment -> placed -> accepted -> preparing -> ready -> picked_up -> delivered
 *   with expired, payment_failed, rejected, cancelled and refunded along the way, and `held`
 *   (for an admin's review) before any of it.
 */

import { ORDER_TRANSITIONS, type ActorKind, type OrderState } from "../contract/order-states";

export {
  ACCEPTED_STATES,
  GIVEN_UP_STATES,
  OPEN_STATES,
  ORDER_STATES,
  TERMINAL_STATES,
  type ActorKind,
  type OrderState,
} from "../contract/order-states";

/** Every allowed move: the contract's table, the one the app shows. Anything absent is refused. */
export const TRANSITIONS = ORDER_TRANSITIONS;

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
