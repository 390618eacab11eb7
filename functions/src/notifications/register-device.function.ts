import { CALLABLES } from "../contract/callables";
import { defineCallable, type CallableSpec } from "../shared/callable";

/** Declared once: the callable and the GraphQL API (graphql/) run the same spec and implementation. */
export const registerDeviceCall = {
  spec: { name: CALLABLES.registerDevice, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 } } satisfies CallableSpec,
  load: async () => (await import("./devices.service.js")).registerDevice,
};

/** Registers (or refreshes) the caller's push device. */
export const registerDevice = defineCallable(registerDeviceCall.spec, registerDeviceCall.load);
