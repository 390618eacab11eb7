/** Payments: the Stripe webhook, the settlement of order payments and cash at the door, each loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  stripeWebhook: () => require("./stripe-webhook.function").stripeWebhook,
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  settlePayment: () => require("./settle-payment.function").settlePayment,
  recordCashCollection: () => require("./record-cash-collection.function").recordCashCollection,
});
