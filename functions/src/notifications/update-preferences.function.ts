import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Changes the caller's notification channels and quiet hours; answers the whole result. */
export const updatePreferences = defineCallable(
  { name: CALLABLES.updateNotificationPreferences, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 } },
  async () => (await import("./devices.service.js")).updatePreferences,
);
