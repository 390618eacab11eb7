import { CALLABLES } from "../contract/callables";
import { defineCallable, type CallableSpec } from "../shared/callable";

/** Declared once: the callable and the GraphQL API (graphql/) run the same spec and implementation. */
export const restaurantActionCall = {
  spec: { name: CALLABLES.restaurantOrderAction, access: ["staff", "admin"], rateLimit: { max: 120, windowSeconds: 60 } } satisfies CallableSpec,
  load: async () => (await import("./actions.service.js")).restaurantAction,
};

/** Staff (or an admin) accept, reject, start preparing or mark an order ready. */
export const restaurantAction = defineCallable(restaurantActionCall.spec, restaurantActionCall.load);
