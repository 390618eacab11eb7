import { CALLABLES } from "../contract/callables";
import { defineCallable, type CallableSpec } from "../shared/callable";

/** Declared once: the callable and the GraphQL API (graphql/) run the same spec and implementation. */
export const updateProfileCall = {
  spec: { name: CALLABLES.updateProfile, access: "signed-in", rateLimit: { max: 20, windowSeconds: 60 }, checkRevoked: true } satisfies CallableSpec,
  load: async () => (await import("./profile.service.js")).updateProfile,
};

/**
 * Changes the caller's own profile fields: name, phone, locale, time zone, addresses. A banned or
 * signed-out account's token is refused at once (checkRevoked), not when it expires.
 */
export const updateProfile = defineCallable(updateProfileCall.spec, updateProfileCall.load);
