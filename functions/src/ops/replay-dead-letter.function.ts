import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** An admin replays a dead letter once its cause is fixed; audited. */
export const replayDeadLetter = defineCallable(
  { name: CALLABLES.replayDeadLetter, access: ["admin"], rateLimit: { max: 60, windowSeconds: 60 } },
  async () => (await import("./dead-letter-replay.service.js")).replayDeadLetterCallable,
);
