import { CALLABLES } from "../contract/callables";
import { defineCallable, type CallableSpec } from "../shared/callable";

/** Declared once: the callable and the GraphQL API (graphql/) run the same spec and implementation. */
export const cancelOrderCall = {
  spec: { name: CALLABLES.cancelOrder, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 } } satisfies CallableSpec,
  load: async () => (await import("./actions.service.js")).cancelOrder,
};

/** The customer cancels an order the restaurant has not accepted yet. */
export const cancelOrder = defineCallable(cancelOrderCall.spec, cancelOrderCall.load);
