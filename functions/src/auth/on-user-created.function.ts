import { defineUserCreated } from "../shared/auth-trigger";

/** Creates `users/{uid}` for every new account; the default role is customer. */
export const onUserCreated = defineUserCreated(
  { name: "auth-onUserCreated" },
  async () => (await import("./profile.service.js")).createProfileOnSignUp,
);
