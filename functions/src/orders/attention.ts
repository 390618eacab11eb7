/**
 * The flag that asks a person to look at an order (`orders/{id}.attention`, shown on the
 * restaurant board and read by the stall sweep). Its message is a fixed sentence per reason,
 * written for the people who read boards: what went wrong upstream stays in the logs and the
 * dead letter, never on the order.
 */
import { firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";

export const ATTENTION_MESSAGES = {
  "payment-settlement-failed": "The card payment could not be settled after several attempts. An operator will retry it.",
  "payment-mismatch": "A payment notice did not match this order, so it was not acted on. An operator will check the payment.",
  "no-courier": "No courier has taken this order yet. Still looking further away.",
  "no-pickup-location": "The restaurant has no pickup location, so no courier can be offered this order.",
  "stuck-in-state": "This order has not moved on for longer than expected. An operator will look into it.",
} as const;

export type AttentionReason = keyof typeof ATTENTION_MESSAGES;

/** The `attention` value for `reason`; `extra` holds ids an operator needs (a dead letter, an event). */
export function attentionFlag(reason: AttentionReason, extra: Record<string, string | null> = {}): Record<string, unknown> {
  return { ...extra, reason, message: ATTENTION_MESSAGES[reason], since: firestoreValues().FieldValue.serverTimestamp() };
}

/** The log line operations count and alert on; call it once the flag is written (after commit). */
export function logAttentionFlagged(orderId: string, reason: AttentionReason): void {
  log.warn(OPS_EVENTS.orderAttentionFlagged.name, { orderId, reason });
}
