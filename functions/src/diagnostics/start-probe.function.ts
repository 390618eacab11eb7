import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Starts a probe; answers with its id and the correlation id every hop will record. */
export const startProbe = defineCallable(
  { name: CALLABLES.startProbe, access: "signed-in", rateLimit: { max: 3, windowSeconds: 60 } },
  async () => (await import("./probe.service.js")).startProbe,
);
