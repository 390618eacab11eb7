/**
 * The Stripe webhook: verify the signature on the raw body (5-minute tolerance), accept only
 * the event types we act on, dedupe by event id through the processed-events ledger, apply,
 * and answer 2xx only once the effect is committed. Any failure answers 500, so Stripe retries.
 */
import type { Request, Response } from "express";
import type Stripe from "stripe";
import { traceRequest } from "../shared/http";
import { runOnce } from "../shared/idempotency";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { stripeWebhookSecret } from "../shared/params";
import { logAttentionFlagged } from "../orders/attention";
import { annotateSpan } from "../shared/tracing";
import { applyPaymentEvent, type PaymentEvent, type PaymentState } from "./payment-events";
import { callProvider } from "../shared/provider-policies";
import { stripe } from "./stripe.gateway";

export const SIGNATURE_TOLERANCE_SECONDS = 300;
const HANDLER = "payments-stripeWebhook";

/** The event types this endpoint acts on, and the payment state each means. */
const HANDLED: Record<string, PaymentState> = {
  "payment_intent.amount_capturable_updated": "authorized",
  "payment_intent.succeeded": "captured",
  "payment_intent.payment_failed": "failed",
  "payment_intent.canceled": "canceled",
  "charge.refunded": "refunded",
};

/**
 * The fingerprint of the card that authorized `intent` (the same card always has the same one),
 * from its latest charge: an authorization event names the charge, so it is fetched.
 */
async function cardFingerprint(intent: Stripe.PaymentIntent): Promise<string | undefined> {
  const charge = intent.latest_charge;
  if (!charge) return undefined;
  // Stripe redelivers a webhook answered 500: it is the retry, so the policy makes none (inQueue).
  const details = (typeof charge === "string" ? await callProvider("stripe", "stripe.card-fingerprint", () => stripe().charges.retrieve(charge), { inQueue: true }) : charge).payment_method_details;
  return details?.card?.fingerprint ?? undefined;
}

async function toPaymentEvent(event: Stripe.Event): Promise<PaymentEvent> {
  const to = HANDLED[event.type];
  if (event.type === "charge.refunded") {
    const charge = event.data.object as Stripe.Charge;
    const full = charge.amount_refunded >= charge.amount;
    return { id: event.id, created: event.created, intentId: String(charge.payment_intent), orderId: charge.metadata?.orderId ?? null, to: full ? "refunded" : "partially_refunded", amountRefunded: charge.amount_refunded };
  }
  const intent = event.data.object as Stripe.PaymentIntent;
  return {
    id: event.id,
    created: event.created,
    intentId: intent.id,
    orderId: intent.metadata?.orderId ?? null,
    to,
    failureCode: intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? undefined,
    // Promo limits count the card that paid (planPromotionCardUse): one more Stripe call, made
    // only for an order that used a code. A failure names its card in the event itself.
    cardFingerprint:
      to === "authorized" && intent.metadata?.promoCode ? await cardFingerprint(intent) : to === "failed" ? (intent.last_payment_error?.payment_method?.card?.fingerprint ?? undefined) : undefined,
    amount: intent.amount,
    currency: intent.currency,
  };
}

export async function handleStripeWebhook(req: Request & { rawBody?: Buffer }, res: Response): Promise<void> {
  await traceRequest(HANDLER, req, res, async (correlationId) => {
    const signature = req.get("stripe-signature");
    let event: Stripe.Event;
    try {
      if (!signature || !req.rawBody) throw new Error("missing signature or body");
      event = stripe().webhooks.constructEvent(req.rawBody, signature, stripeWebhookSecret.value(), SIGNATURE_TOLERANCE_SECONDS);
    } catch (error) {
      log.warn(OPS_EVENTS.stripeWebhookRejected.name, { reason: (error as Error).message });
      res.status(400).json({ error: { code: "invalid-argument", message: "Invalid Stripe signature.", details: { correlationId, reason: "bad-signature" } } });
      return;
    }
    if (!(event.type in HANDLED)) {
      // Stripe's advice: acknowledge what you do not handle, or it retries for days.
      log.info("stripe.webhook-ignored", { eventId: event.id, type: event.type });
      res.status(200).json({ received: true, handled: false, reason: "event-type-not-handled" });
      return;
    }
    try {
      const paymentEvent = await toPaymentEvent(event);
      annotateSpan({ orderId: paymentEvent.orderId });
      const result = await runOnce(HANDLER, event.id, (tx) => applyPaymentEvent(tx, paymentEvent));
      const outcome = result.applied ? result.value : "duplicate";
      log.info(OPS_EVENTS.stripeWebhookHandled.name, { eventId: event.id, type: event.type, orderId: paymentEvent.orderId, outcome });
      // A mismatch flagged the order in that transaction; said here, once it is committed.
      if (outcome === "mismatch") logAttentionFlagged(paymentEvent.orderId ?? "unknown", "payment-mismatch");
      res.status(200).json({ received: true, handled: true, outcome });
    } catch (error) {
      log.error(OPS_EVENTS.stripeWebhookFailed.name, error, { eventId: event.id, type: event.type });
      res.status(500).json({ error: { code: "internal", message: "Not processed; retry.", details: { correlationId, reason: "internal" } } });
    }
  });
}
