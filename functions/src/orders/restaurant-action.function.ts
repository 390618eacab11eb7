import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Staff (or an admin) accept, reject, start preparing or mark an order ready. */
export const restaurantAction = defineCallable(
  { name: CALLABLES.restaurantOrderAction, access: ["staff", "admin"], rateLimit: { max: 120, windowSeconds: 60 } },
  async () => (await import("./actions.service.js")).restaurantAction,
);
