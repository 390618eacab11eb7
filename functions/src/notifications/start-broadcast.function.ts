import { CALLABLES } from "../contract/callables";
import { BROADCAST_START_BULKHEAD } from "../shared/bulkheads";
import { defineCallable } from "../shared/callable";

/** An admin sends a promotion to a segment; batches follow through Cloud Tasks. */
export const startBroadcast = defineCallable(
  { name: CALLABLES.startBroadcast, access: ["admin"], rateLimit: { max: 10, windowSeconds: 60 }, options: BROADCAST_START_BULKHEAD },
  async () => (await import("./broadcast.service.js")).startBroadcastCallable,
);
