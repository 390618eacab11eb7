import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** An admin carries a paused or stalled broadcast on from where it got to; audited. */
export const resumeBroadcast = defineCallable(
  { name: CALLABLES.resumeBroadcast, access: ["admin"], rateLimit: { max: 10, windowSeconds: 60 } },
  async () => (await import("./broadcast.service.js")).resumeBroadcastCallable,
);
