import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** A courier goes on or off duty and reports where they are. */
export const updateCourierStatus = defineCallable(
  { name: CALLABLES.updateCourierStatus, access: ["courier"], rateLimit: { max: 120, windowSeconds: 60 } },
  async () => (await import("./dispatch.service.js")).updateCourierStatus,
);
