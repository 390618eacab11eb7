import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Lifts a ban: account enabled, email and phone may sign up again; audited. */
export const unbanUser = defineCallable(
  { name: CALLABLES.unbanUser, access: ["admin"], rateLimit: { max: 30, windowSeconds: 60 } },
  async () => (await import("./bans.service.js")).unbanUser,
);
