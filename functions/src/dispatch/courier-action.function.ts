import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** A courier accepts or declines an offer, picks the order up, delivers it. */
export const courierAction = defineCallable(
  { name: CALLABLES.courierOrderAction, access: ["courier", "admin"], rateLimit: { max: 120, windowSeconds: 60 } },
  async () => (await import("./dispatch.service.js")).courierAction,
);
