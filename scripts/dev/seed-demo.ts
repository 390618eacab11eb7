/**
 * Writes the demo data into running emulators: the demo users (scripts/dev/demo-users.json)
 * with their profiles and roles, and the demo catalog (scripts/dev/demo-catalog.json) through
 * the same import the admin script uses. Run through `npm run demo:export`, which starts empty
 * emulators, runs this, and exports the result to emulator-data/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createProfileOnSignUp } from "../../functions/src/auth/profile.service.ts";
import { planCatalog, writeCatalog } from "../../functions/src/catalog/catalog-file.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";

if (!process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST) {
  throw new Error("Refusing to seed: the emulator variables are not set (run `npm run demo:export`).");
}

for (const user of DEMO_USERS) {
  await auth().createUser({ uid: user.uid, email: user.email, password: DEMO_PASSWORD, displayName: user.displayName, emailVerified: true });
  await auth().setCustomUserClaims(user.uid, { role: user.role, restaurantIds: user.restaurantIds });
  await createProfileOnSignUp.handle({ uid: user.uid, email: user.email, displayName: user.displayName }, { eventId: `seed-${user.uid}` });
  await db().collection(COLLECTIONS.users).doc(user.uid).update({ role: user.role, locale: user.uid === "demo-customer" ? "es" : "en", timeZone: "Europe/Madrid" });
  console.log(`user     ${user.role.padEnd(8)} ${user.email}`);
}

const plan = planCatalog(JSON.parse(readFileSync(join(import.meta.dirname, "demo-catalog.json"), "utf8")));
if (plan.errors.length) throw new Error(`demo-catalog.json is invalid:\n${plan.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`);
await writeCatalog(plan, (line) => console.log(`catalog  ${line}`));
process.exit(0);
