import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/**
 * Changes the caller's own profile fields: name, phone, locale, time zone, addresses. A banned or
 * signed-out account's token is refused at once (checkRevoked), not when it expires.
 */
export const updateProfile = defineCallable(
  { name: CALLABLES.updateProfile, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 }, checkRevoked: true },
  async () => (await import("./profile.service.js")).updateProfile,
);
