import { defineBeforeUserSignedIn } from "../shared/auth-blocking";

/** Refuses sign-in of a banned account, and of staff and admins the sign-in params rule out. */
export const beforeUserSignedIn = defineBeforeUserSignedIn(
  { name: "auth-beforeUserSignedIn" },
  async () => (await import("./admission.service.js")).admitSignIn,
);
