/**
 * The payment port: checkout and the order workflow talk to this interface, never to a
 * provider. Every mutating call carries an idempotency key derived from our own ids, so a
 * retried call never charges, captures or refunds twice.
 */
import type { z } from "zod";
import type { CardPaymentSheet, PaymentMethod } from "../contract/checkout";
import { DomainError } from "../shared/errors";
import { providerAvailability } from "../shared/provider-policies";

export interface PaymentRequest {
  orderId: string;
  uid: string;
  amount: number;
  currency: string;
  /** The order's promo code: its authorization then names the card that paid (per-card limits). */
  promoCode?: string | null;
}

export interface Authorization {
  provider: "stripe" | "cash";
  /** The provider's id for this payment (a PaymentIntent), when there is one. */
  intentId: string | null;
  /** `authorized`: nothing left for the customer to do; `requires_action`: the app must confirm. */
  status: "authorized" | "requires_action";
  sheet: z.infer<typeof CardPaymentSheet> | null;
}

/** Where the provider says a payment stands. */
export interface PaymentStanding {
  status: "requires_action" | "authorized" | "captured" | "canceled";
  amountCaptured: number;
  amountRefunded: number;
}

export interface PaymentGateway {
  /** Starts a payment for an order: for cards, a PaymentIntent to confirm, captured later. */
  authorize(request: PaymentRequest): Promise<Authorization>;
  /** Takes the authorized money (when the restaurant accepts). */
  capture(orderId: string, intentId: string | null, amount: number): Promise<void>;
  /** Releases an authorization that will not be captured. */
  cancel(orderId: string, intentId: string | null): Promise<void>;
  /** Returns captured money; `amount` for a partial refund, omitted for all. */
  refund(orderId: string, intentId: string | null, amount?: number): Promise<void>;
  /** Asks the provider where the payment stands, so a retried step does only what is left. */
  inspect(intentId: string | null): Promise<PaymentStanding>;
}

/** Cash on delivery: nothing to authorize; the courier collects. */
export const cashGateway: PaymentGateway = {
  authorize: async () => ({ provider: "cash", intentId: null, status: "authorized", sheet: null }),
  capture: async () => undefined,
  cancel: async () => undefined,
  refund: async () => undefined,
  inspect: async () => ({ status: "authorized", amountCaptured: 0, amountRefunded: 0 }),
};

/** The gateway for a payment method; the Stripe adapter (and its SDK) loads on first use. */
export async function gatewayFor(method: "card" | "cash"): Promise<PaymentGateway> {
  if (method === "cash") return cashGateway;
  return (await import("./stripe.gateway.js")).stripeGateway;
}

/**
 * The payment methods that work now: card drops out while Stripe's circuit breaker is open on
 * this instance (Stripe failed several calls in a row), with the seconds until it tries again;
 * cash always works.
 */
export function paymentMethodsNow(): { methods: PaymentMethod[]; retryAfterSeconds?: number } {
  const stripe = providerAvailability("stripe");
  return stripe.available ? { methods: ["card", "cash"] } : { methods: ["cash"], retryAfterSeconds: stripe.retryAfterSeconds };
}

/** Card payments cannot start now: `unavailable`, with when to try again and what works meanwhile. */
export function paymentsUnavailable(retryAfterSeconds?: number): DomainError {
  return new DomainError("unavailable", "Card payments are unavailable for a moment. Pay cash or try again shortly.", {
    reason: "payments-unavailable",
    fields: [{ path: "paymentMethod", message: "Card payments are unavailable for a moment." }],
    availablePaymentMethods: ["cash"],
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  });
}

/**
 * Refuses at once, before anything is reserved or written, a checkout whose payment method does
 * not work now, instead of letting it wait on a provider known to be down.
 */
export function requirePaymentMethodAvailable(method: PaymentMethod): void {
  const now = paymentMethodsNow();
  if (!now.methods.includes(method)) throw paymentsUnavailable(now.retryAfterSeconds);
}
