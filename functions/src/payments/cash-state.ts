/**
 * A cash order's payment lifecycle as data (the table is in the contract, so the app shows the
 * states the server enforces). Before, a cash payment stayed `pending_cash` for ever, delivered
 * or not; now it ends once, one of two ways, and never moves again:
 *
 *   pending_cash -> collected   the assigned courier records the cash taken at the door
 *   pending_cash -> canceled    the order ended before delivery: nothing is owed
 */
import { CASH_PAYMENT_TRANSITIONS, type CashPaymentState } from "../contract/delivery";

export { CASH_PAYMENT_STATES, CASH_PAYMENT_TRANSITIONS, type CashPaymentState } from "../contract/delivery";

export type CashDecision = { ok: true } | { ok: false; reason: "invalid-transition" | "not-your-move" };

/** Whether `by` may move a cash payment from `from` to `to`; anything not in the table is refused. */
export function decideCashMove(from: string | undefined, to: CashPaymentState, by: "courier" | "order"): CashDecision {
  const moves = CASH_PAYMENT_TRANSITIONS.filter((t) => t.from === from && t.to === to);
  if (moves.length === 0) return { ok: false, reason: "invalid-transition" };
  if (!moves.some((t) => t.by === by)) return { ok: false, reason: "not-your-move" };
  return { ok: true };
}
