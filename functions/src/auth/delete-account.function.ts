import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { stripeSecretKey } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

/** Deletes the caller's account and personal data; orders stay, anonymized. */
export const deleteAccount = defineCallable(
  { name: CALLABLES.deleteAccount, access: "signed-in", rateLimit: { max: 3, windowSeconds: 60 }, options: { secrets: [pseudonymKey, stripeSecretKey], timeoutSeconds: 120 } },
  async () => (await import("./profile.service.js")).deleteAccount,
);
