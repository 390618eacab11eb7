import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** The fraud rules' review queue: held orders, oldest first, with the rules that held them. */
export const listHeldOrders = defineCallable(
  { name: CALLABLES.listHeldOrders, access: ["admin"], rateLimit: { max: 60, windowSeconds: 60 } },
  async () => (await import("../risk/review.service.js")).listHeldOrders,
);
