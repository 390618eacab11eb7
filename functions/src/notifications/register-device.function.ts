import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Registers (or refreshes) the caller's push device. */
export const registerDevice = defineCallable(
  { name: CALLABLES.registerDevice, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 } },
  async () => (await import("./devices.service.js")).registerDevice,
);
