import { CALLABLES } from "../contract/callables";
import { defineCallable } from "../shared/callable";
import { pseudonymKey } from "../shared/pseudonym";

/** Mirrors the caller's Firebase Auth phone number into their profile, after they link or unlink one. */
export const syncPhone = defineCallable(
  { name: CALLABLES.syncPhone, access: "signed-in", rateLimit: { max: 10, windowSeconds: 60 }, options: { secrets: [pseudonymKey] } },
  async () => (await import("./phone.service.js")).syncPhone,
);
