import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Removes one of the caller's push devices (at sign-out). */
export const unregisterDevice = defineCallable(
  { name: CALLABLES.unregisterDevice, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 } },
  async () => (await import("./devices.service.js")).unregisterDevice,
);
