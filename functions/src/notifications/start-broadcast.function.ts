import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** An admin sends a promotion to a segment; batches follow through Cloud Tasks. */
export const startBroadcast = defineCallable(
  { name: CALLABLES.startBroadcast, access: ["admin"], rateLimit: { max: 10, windowSeconds: 60 } },
  async () => (await import("./broadcast.service.js")).startBroadcastCallable,
);
