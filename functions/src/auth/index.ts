/** Identity: profiles and accounts. Each function loads on first access (see shared/lazy-exports.ts). */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  onUserCreated: () => require("./on-user-created.function").onUserCreated,
  updateProfile: () => require("./update-profile.function").updateProfile,
  syncPhone: () => require("./sync-phone.function").syncPhone,
  deleteAccount: () => require("./delete-account.function").deleteAccount,
  beforeUserCreated: () => require("./before-user-created.function").beforeUserCreated,
  beforeUserSignedIn: () => require("./before-user-signed-in.function").beforeUserSignedIn,
});
