import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { pseudonymKey } from "../shared/pseudonym";

/** Prices a cart exactly as checkout will, with warnings, ETA and payment methods; keeps nothing. */
export const quoteCart = defineCallable(
  { name: CALLABLES.quoteCart, access: "signed-in", rateLimit: { max: 60, windowSeconds: 60 }, options: { secrets: [pseudonymKey] } },
  async () => (await import("./quote.service.js")).quoteCart,
);
