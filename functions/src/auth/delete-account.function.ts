import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";

/** Deletes the caller's account and personal data; orders stay, anonymized. */
export const deleteAccount = defineCallable(
  { name: CALLABLES.deleteAccount, access: "signed-in", rateLimit: { max: 3, windowSeconds: 60 }, options: { timeoutSeconds: 120 } },
  async () => (await import("./profile.service.js")).deleteAccount,
);
