import { onRequest } from "firebase-functions/v2/https";
import { stripeSecretKey, stripeWebhookSecret } from "../shared/params";

/** Stripe's webhook endpoint: payment events into order payment states. */
export const stripeWebhook = onRequest({ secrets: [stripeSecretKey, stripeWebhookSecret] }, async (req, res) => {
  await (await import("./stripe-webhook.js")).handleStripeWebhook(req, res);
});
