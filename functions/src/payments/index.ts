/** Payments: the Stripe webhook, loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  stripeWebhook: () => require("./stripe-webhook.function").stripeWebhook,
});
