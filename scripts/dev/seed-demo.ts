/**
 * Writes the demo data into running emulators. Run through `npm run demo:export`, which
 * starts empty emulators, runs this, and exports the result to emulator-data/.
 */
import { auth } from "../../functions/src/shared/firebase.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";

if (!process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST) {
  throw new Error("Refusing to seed: the emulator variables are not set (run `npm run demo:export`).");
}

for (const user of DEMO_USERS) {
  await auth().createUser({ uid: user.uid, email: user.email, password: DEMO_PASSWORD, displayName: user.displayName, emailVerified: true });
  await auth().setCustomUserClaims(user.uid, { role: user.role, restaurantIds: user.restaurantIds });
  console.log(`seeded ${user.role.padEnd(8)} ${user.email}`);
}
