/** Payments: the Stripe webhook and the settlement of order payments, each loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  stripeWebhook: () => require("./stripe-webhook.function").stripeWebhook,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  settlePayment: () => require("./settle-payment.function").settlePayment,
});
