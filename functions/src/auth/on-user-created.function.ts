import { defineUserCreated } from "../shared/auth-trigger";
import { pseudonymKey } from "../shared/pseudonym";

/** Creates `users/{uid}` for every new account; the default role is customer. */
export const onUserCreated = defineUserCreated(
  { name: "auth-onUserCreated", secrets: [pseudonymKey] },
  async () => (await import("./profile.service.js")).createProfileOnSignUp,
);
