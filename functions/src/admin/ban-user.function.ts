import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { pseudonymKey } from "../shared/pseudonym";

/** Bans a user: account disabled, sessions ended, email and phone refused at sign-up; audited. */
export const banUser = defineCallable(
  { name: CALLABLES.banUser, access: ["admin"], rateLimit: { max: 30, windowSeconds: 60 }, options: { secrets: [pseudonymKey] } },
  async () => (await import("./bans.service.js")).banUser,
);
