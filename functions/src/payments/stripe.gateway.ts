/**
 * The Stripe adapter of the payment port, on the official SDK. One Stripe customer per user
 * (`paymentCustomers/{uid}`), PaymentIntents with manual capture, and an idempotency key made
 * from our own ids on every mutating call. The client is built on first use from the
 * STRIPE_SECRET_KEY secret; STRIPE_API_URL points it elsewhere (the local Stripe double).
 * Every call goes through Stripe's policy (shared/provider-policies.ts): a timeout on the whole
 * answer, the circuit breaker, the bulkhead, and one retry outside task queues.
 */
import type Stripe from "stripe";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { InjectedFault } from "../shared/faults";
import { log } from "../shared/log";
import { stripeApiUrl, stripeSecretKey, stripeTimeoutSeconds } from "../shared/params";
import { callProvider, ProviderRefused, ProviderTimeout } from "../shared/provider-policies";
import { paymentsUnavailable, type PaymentGateway, type PaymentRequest } from "./gateway";

let client: Stripe | undefined;

export function stripe(): Stripe {
  client ??= stripeClient(stripeSecretKey.value(), stripeApiUrl.value(), { timeoutMs: stripeTimeoutSeconds.value() * 1000, maxNetworkRetries: 0 });
  return client;
}

/**
 * A Stripe client for `secretKey`, talking to `apiUrl` when given (the local double), else to
 * Stripe. Scripts get the SDK's own retries; the functions' client gets none (`stripe()`), since
 * Stripe's provider policy decides about retries there.
 */
export function stripeClient(secretKey: string, apiUrl = "", options: { timeoutMs?: number; maxNetworkRetries?: number } = {}): Stripe {
  const mod = require("stripe") as { default?: typeof Stripe } & typeof Stripe;
  const StripeClient = mod.default ?? mod;
  const url = apiUrl ? new URL(apiUrl) : undefined;
  return new StripeClient(secretKey, {
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    timeout: options.timeoutMs ?? 15_000,
    ...(url ? { host: url.hostname, port: Number(url.port || (url.protocol === "https:" ? 443 : 80)), protocol: url.protocol === "https:" ? "https" : "http" } : {}),
  });
}

/**
 * Calls made from task handlers: the queue retries them, with backoff, across instances, so the
 * policy does not retry inside one attempt.
 */
const QUEUED = { inQueue: true } as const;


/** Stripe failures the customer or a retry can do something about; the rest are ours. */
function translate(error: unknown): unknown {
  const e = error as { type?: string; code?: string; statusCode?: number };
  if (error instanceof ProviderRefused) return paymentsUnavailable(error.retryAfterSeconds);
  if (error instanceof InjectedFault || error instanceof ProviderTimeout) return paymentsUnavailable();
  if (e.type === "StripeConnectionError" || e.type === "StripeAPIError" || (e.statusCode ?? 0) >= 500 || e.statusCode === 429) {
    log.warn("stripe.unavailable", { type: e.type, statusCode: e.statusCode });
    return paymentsUnavailable();
  }
  if (e.type === "StripeCardError") {
    return new DomainError("failed-precondition", "The card was declined.", { reason: "card-declined" });
  }
  return error;
}

async function customerFor(uid: string): Promise<string> {
  const ref = db().collection(COLLECTIONS.paymentCustomers).doc(uid);
  const existing = (await ref.get()).get("stripeCustomerId") as string | undefined;
  if (existing) return existing;
  // The idempotency key makes two concurrent first checkouts get the same customer. Stripe is
  // given no email or name: the PaymentSheet does not need them, and the customer is deleted
  // with the account (forgetCustomer).
  const customer = await callProvider("stripe", "stripe.customer", () => stripe().customers.create({ metadata: { uid } }, { idempotencyKey: `customer-${uid}` }));
  const { FieldValue } = firestoreValues();
  await ref.set({ stripeCustomerId: customer.id, createdAt: FieldValue.serverTimestamp() }, { merge: true });
  return customer.id;
}

/**
 * Deletes the user's Stripe customer (its saved cards with it) and our record of it, for account
 * deletion. Safe to repeat: a customer Stripe no longer has counts as deleted.
 */
export async function forgetPaymentCustomer(uid: string): Promise<void> {
  const ref = db().collection(COLLECTIONS.paymentCustomers).doc(uid);
  const customerId = (await ref.get()).get("stripeCustomerId") as string | undefined;
  if (customerId) {
    await callProvider("stripe", "stripe.forget-customer", () => stripe().customers.del(customerId))
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw translate(error);
      });
  }
  await ref.delete();
}

export const stripeGateway: PaymentGateway = {
  async authorize(request: PaymentRequest) {
    try {
      const customerId = await customerFor(request.uid);
      const intent = await callProvider("stripe", "stripe.authorize", () => stripe().paymentIntents.create(
        {
          amount: request.amount,
          currency: request.currency.toLowerCase(),
          customer: customerId,
          capture_method: "manual",
          automatic_payment_methods: { enabled: true },
          // A promo order's authorization webhook looks up the card (stripe-webhook.ts); others skip it.
          metadata: { orderId: request.orderId, ...(request.promoCode ? { promoCode: request.promoCode } : {}) },
        },
        { idempotencyKey: `pi-${request.orderId}` },
      ));
      const ephemeralKey = await callProvider("stripe", "stripe.ephemeral-key", () => stripe().ephemeralKeys.create({ customer: customerId }, { apiVersion: stripe().getApiField("version") ?? undefined }));
      log.info("stripe.intent-created", { orderId: request.orderId, intentId: intent.id });
      return {
        provider: "stripe" as const,
        intentId: intent.id,
        status: "requires_action" as const,
        sheet: { provider: "stripe" as const, paymentIntentId: intent.id, paymentIntentClientSecret: intent.client_secret!, customerId, customerEphemeralKeySecret: ephemeralKey.secret! },
      };
    } catch (error) {
      throw translate(error);
    }
  },

  async capture(orderId, intentId, amount) {
    await callProvider("stripe", "stripe.capture", () => stripe().paymentIntents.capture(intentId!, { amount_to_capture: amount }, { idempotencyKey: `capture-${orderId}` }), QUEUED)
      .catch((error: unknown) => {
        throw translate(error);
      });
  },

  async cancel(orderId, intentId) {
    if (!intentId) return;
    await callProvider("stripe", "stripe.cancel", () => stripe().paymentIntents.cancel(intentId, {}, { idempotencyKey: `cancel-${orderId}` }), QUEUED)
      .catch((error: { code?: string }) => {
        // Already canceled (or never confirmed and gone): the goal is reached.
        if (error.code === "payment_intent_unexpected_state") return;
        throw translate(error);
      });
  },

  async refund(orderId, intentId, amount) {
    await callProvider("stripe", "stripe.refund", () => stripe().refunds.create({ payment_intent: intentId!, ...(amount ? { amount } : {}) }, { idempotencyKey: `refund-${orderId}-${amount ?? "full"}` }), QUEUED)
      .catch((error: unknown) => {
        throw translate(error);
      });
  },

  async inspect(intentId) {
    const intent = await callProvider("stripe", "stripe.inspect", () => stripe().paymentIntents.retrieve(intentId!), QUEUED)
      .catch((error: unknown) => {
        throw translate(error);
      });
    const refunded = Number((intent as { amount_refunded?: number }).amount_refunded ?? 0);
    const status =
      intent.status === "succeeded" ? "captured" : intent.status === "requires_capture" ? "authorized" : intent.status === "canceled" ? "canceled" : "requires_action";
    return { status, amountCaptured: intent.amount_received ?? 0, amountRefunded: refunded };
  },
};
