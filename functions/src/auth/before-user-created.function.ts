import { defineBeforeUserCreated } from "../shared/auth-blocking";
import { pseudonymKey } from "../shared/pseudonym";

/** Refuses sign-up with an email or phone that a ban holds. Needs Identity Platform when deployed. */
export const beforeUserCreated = defineBeforeUserCreated(
  { name: "auth-beforeUserCreated", options: { secrets: [pseudonymKey] } },
  async () => (await import("./admission.service.js")).admitSignUp,
);
