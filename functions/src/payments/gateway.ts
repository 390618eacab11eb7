/**
 * The payment port: checkout and the order workflow talk to this interface, never to a
 * provider. Every mutating call carries an idempotency key derived from our own ids, so a
 * retried call never charges, captures or refunds twice.
 */
import type { z } from "zod";
import type { CardPaymentSheet } from "../contract/checkout";

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
