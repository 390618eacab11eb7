import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { pseudonymKey } from "../shared/pseudonym";

/** An admin approves or rejects an order the fraud rules held; recorded and audited. */
export const reviewHeldOrder = defineCallable(
  { name: CALLABLES.reviewHeldOrder, access: ["admin"], rateLimit: { max: 60, windowSeconds: 60 }, options: { secrets: [pseudonymKey] } },
  async () => (await import("../risk/review.service.js")).reviewHeldOrder,
);
