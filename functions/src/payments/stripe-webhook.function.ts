import { onRequest } from "firebase-functions/v2/https";
import { stripeSecretKey, stripeWebhookSecret } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

/** Stripe's webhook endpoint: payment events into order payment states. */
export const stripeWebhook = onRequest({ secrets: [stripeSecretKey, stripeWebhookSecret, pseudonymKey] }, async (req, res) => {
  await (await import("./stripe-webhook.js")).handleStripeWebhook(req, res);
});
