import { CALLABLES } from "../contract/callables";
import { CHECKOUT_BULKHEAD } from "../shared/bulkheads";
import { defineCallable, type CallableSpec } from "../shared/callable";
import { stripeSecretKey } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

/** Declared once: the callable and the GraphQL API (graphql/) run the same spec and implementation. */
export const placeOrderCall = {
  spec: { name: CALLABLES.placeOrder, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 }, checkRevoked: true, options: { ...CHECKOUT_BULKHEAD, secrets: [stripeSecretKey, pseudonymKey], timeoutSeconds: 60 } } satisfies CallableSpec,
  load: async () => (await import("./checkout.service.js")).checkout,
};

/**
 * Prices a cart from the catalog, reserves stock, creates the order and starts its payment. A
 * banned account's token is refused at once (checkRevoked), not when it expires.
 */
export const placeOrder = defineCallable(placeOrderCall.spec, placeOrderCall.load);
