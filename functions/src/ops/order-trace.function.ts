import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** An admin reads an order's trace waterfall (the operator console's order page). */
export const orderTrace = defineCallable(
  { name: CALLABLES.orderTrace, access: ["admin"], rateLimit: { max: 60, windowSeconds: 60 } },
  async () => (await import("./order-trace.service.js")).orderTraceCallable,
);
