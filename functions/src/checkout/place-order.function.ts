import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { stripeSecretKey } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

/** Prices a cart from the catalog, reserves stock, creates the order and starts its payment. */
export const placeOrder = defineCallable(
  { name: CALLABLES.placeOrder, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 }, options: { secrets: [stripeSecretKey, pseudonymKey], timeoutSeconds: 60 } },
  async () => (await import("./checkout.service.js")).checkout,
);
