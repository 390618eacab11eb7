import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** The customer cancels an order the restaurant has not accepted yet. */
export const cancelOrder = defineCallable(
  { name: CALLABLES.cancelOrder, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 } },
  async () => (await import("./actions.service.js")).cancelOrder,
);
