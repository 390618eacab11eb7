import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** An admin force-cancels or refunds an order; audited. */
export const adminAction = defineCallable(
  { name: CALLABLES.adminOrderAction, access: ["admin"], rateLimit: { max: 60, windowSeconds: 60 } },
  async () => (await import("./actions.service.js")).adminAction,
);
