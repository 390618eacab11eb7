/**
 * What a provider's payment event does to an order. Payment states move only along this
 * table, and never backwards in time: an event older than the last one applied changes
 * nothing, so late or reordered webhooks cannot undo a newer state. An event that is not about
 * the order's own payment (another intent, another amount or currency) changes nothing either:
 * it flags the order for an operator.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { attentionFlag } from "../orders/attention";
import { planReleaseOrderHolds } from "../checkout/order-holds";
import { planPromotionCardUse } from "../checkout/promotions.service";
import { planTransition, SYSTEM } from "../orders/transition.service";
import { shapedQuery } from "../shared/queries";
import { countFailedPayment } from "../risk/failed-payments";

export type PaymentState = "requires_action" | "authorized" | "captured" | "failed" | "canceled" | "partially_refunded" | "refunded";

/** The payment states each state may come from. */
const ALLOWED_FROM: Record<PaymentState, PaymentState[]> = {
  requires_action: [],
  authorized: ["requires_action", "failed"],
  captured: ["requires_action", "authorized"],
  failed: ["requires_action", "failed"],
  canceled: ["requires_action", "authorized", "failed"],
  partially_refunded: ["captured", "partially_refunded"],
  refunded: ["captured", "partially_refunded"],
};

export interface PaymentEvent {
  /** The provider's event id. */
  id: string;
  /** Seconds since the epoch, the provider's clock. */
  created: number;
  intentId: string;
  orderId: string | null;
  to: PaymentState;
  amountRefunded?: number;
  failureCode?: string;
  /** What the intent is for (PaymentIntent events): must be the order's total. */
  amount?: number;
  /** ISO 4217, any case (Stripe writes lowercase). */
  currency?: string;
  /**
   * The card's fingerprint: the paying card (authorizations), for per-card promo limits; the card
   * that failed (failures), for the fraud rules. Never stored raw.
   */
  cardFingerprint?: string;
}

export type Outcome = "applied" | "stale" | "not-allowed" | "unknown-order" | "mismatch";

/**
 * Why `event` is not about this order's payment, or null when it is. Placing an order needs the
 * order's own intent; any event naming another intent than the one recorded, or an amount or
 * currency other than the order's total, is refused.
 */
export function paymentMismatch(
  order: { intentId: string | null; total: { amount: number; currency: string } },
  event: Pick<PaymentEvent, "intentId" | "to" | "amount" | "currency">,
): string | null {
  const places = event.to === "authorized" || event.to === "captured";
  if (order.intentId ? order.intentId !== event.intentId : places) return "intent";
  if (event.amount !== undefined && event.amount !== order.total.amount) return "amount";
  if (event.currency !== undefined && event.currency.toUpperCase() !== order.total.currency.toUpperCase()) return "currency";
  if (places && (event.amount === undefined || event.currency === undefined)) return "amount";
  return null;
}

/** Applies `event` to its order inside `tx`. */
export async function applyPaymentEvent(tx: Transaction, event: PaymentEvent): Promise<Outcome> {
  const orders = db().collection(COLLECTIONS.orders);
  const order = event.orderId
    ? await tx.get(orders.doc(event.orderId))
    : (await tx.get(shapedQuery("orderOfPaymentIntent", orders, event.intentId).limit(1))).docs[0];
  if (!order?.exists) return "unknown-order";
  const orderId = order.id;
  const payment = order.get("payment") as { status: PaymentState; lastEventCreated?: number };
  if ((payment.lastEventCreated ?? 0) > event.created) return "stale";
  if (!ALLOWED_FROM[event.to].includes(payment.status) && !(payment.status === event.to && event.to === "partially_refunded")) return "not-allowed";
  const intentId = (order.get("payment.intentId") as string | null | undefined) ?? null;
  const total = order.get("total") as { amount: number; currency: string };
  const mismatch = paymentMismatch({ intentId, total }, event);
  if (mismatch) {
    log.warn("payment.event-mismatch", { orderId, eventId: event.id, mismatch, intentId: event.intentId, expectedIntentId: intentId, amount: event.amount ?? null, expectedAmount: total.amount, currency: event.currency ?? null, expectedCurrency: total.currency });
    tx.update(order.ref, { attention: attentionFlag("payment-mismatch", { eventId: event.id }), updatedAt: firestoreValues().FieldValue.serverTimestamp() });
    return "mismatch";
  }

  const status = order.get("status") as string;
  // Reads first (Firestore wants all reads of a transaction before its writes).
  const placing = event.to === "authorized" && status === "awaiting_payment";
  // The card that paid may already have used the order's promo code up on other orders.
  const cardUse = placing && event.cardFingerprint ? await planPromotionCardUse(tx, orderId, event.cardFingerprint) : undefined;
  const refusal = cardUse?.refused ? "promo-already-used" : undefined;
  const releasing = (event.to === "canceled" && status === "awaiting_payment") || refusal !== undefined;
  const releaseHolds = releasing ? await planReleaseOrderHolds(tx, orderId, refusal ?? "payment-canceled") : undefined;

  const { FieldValue } = firestoreValues();
  let update: Record<string, unknown> = {
    "payment.status": event.to,
    "payment.lastEventCreated": event.created,
    "payment.lastEventId": event.id,
    updatedAt: FieldValue.serverTimestamp(),
  };
  if (event.amountRefunded !== undefined) update["payment.amountRefunded"] = event.amountRefunded;
  if (event.failureCode) update["payment.failureCode"] = event.failureCode;
  // The money is held: the order goes to the restaurant. Its stock is sold when they accept.
  if (placing && !refusal) {
    cardUse?.record();
    update = { ...update, ...planTransition(tx, order, "placed", SYSTEM.payments, "payment-authorized").fields };
  }
  if (refusal) {
    // Given up like an order whose payment failed: settlement cancels the hold it just got,
    // and the customer is told by the payment-failed message.
    releaseHolds?.();
    update = { ...update, ...planTransition(tx, order, "payment_failed", SYSTEM.payments, refusal).fields, failureReason: refusal };
    log.warn("payment.promo-refused", { orderId, eventId: event.id, reason: refusal });
  } else if (releasing) {
    releaseHolds?.();
    update = { ...update, ...planTransition(tx, order, "cancelled", SYSTEM.payments, "payment-canceled").fields };
  }
  // Declines feed the fraud rules (risk/rules.ts): per account and per card.
  if (event.to === "failed") countFailedPayment(tx, order.get("customerUid") as string, event.cardFingerprint, event.created * 1000);
  tx.update(order.ref, update);
  return "applied";
}
