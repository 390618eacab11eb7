import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** A delivering courier reports where they are; throttled per courier by the service, not the gateway's bucket (one write per report). */
export const reportLocation = defineCallable(
  { name: CALLABLES.reportLocation, access: ["courier"], rateLimit: "none" },
  async () => (await import("./tracking.service.js")).reportLocation,
);
