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
import { courierPosition } from "../../functions/src/dispatch/dispatch.service.ts";
import { deviceId } from "../../functions/src/notifications/devices.service.ts";
import { definePromotion } from "../../functions/src/checkout/promotions.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";

if (!process.env.FIREBASE_AUTH_EMULATOR_HOST || !process.env.FIRESTORE_EMULATOR_HOST) {
  throw new Error("Refusing to seed: the emulator variables are not set (run `npm run demo:export`).");
}

for (const user of DEMO_USERS) {
  await auth().createUser({ uid: user.uid, email: user.email, password: DEMO_PASSWORD, displayName: user.displayName, emailVerified: true, ...(user.phoneNumber ? { phoneNumber: user.phoneNumber } : {}) });
  await auth().setCustomUserClaims(user.uid, { role: user.role, restaurantIds: user.restaurantIds });
  await createProfileOnSignUp.handle({ uid: user.uid, email: user.email, displayName: user.displayName }, { eventId: `seed-${user.uid}` });
  await db().collection(COLLECTIONS.users).doc(user.uid).update({
    role: user.role,
    restaurantIds: user.restaurantIds,
    locale: user.uid === "demo-customer" ? "es" : "en",
    timeZone: "Europe/Madrid",
    phone: user.phoneNumber ?? null,
  });
  // One phone each, so order updates show up in devOutbox as push messages.
  if (user.role !== "admin") {
    const token = `demo-device-${user.uid}-${"0".repeat(24)}`;
    await db().collection(COLLECTIONS.devices).doc(deviceId(token)).set({ uid: user.uid, token, platform: "android", appVersion: "1.0.0", lastSeenAt: new Date(), registeredAt: new Date() });
    await db().collection(COLLECTIONS.pushTargets).doc(user.uid).set({ devices: { [deviceId(token)]: token } });
  }
  console.log(`user     ${user.role.padEnd(8)} ${user.email}`);
}

// The demo courier is on duty next to the trattoria, so an accepted demo order is offered to them.
await db()
  .collection(COLLECTIONS.couriers)
  .doc("demo-courier")
  .set({ uid: "demo-courier", name: "Cole Courier", available: true, ...courierPosition({ lat: 40.4169, lng: -3.7035 }), offer: null, activeOrderId: null });
console.log("courier  demo-courier on duty at Puerta del Sol");

// Promo codes to try at checkout: WELCOME10 (10% off from 15.00, once per customer),
// FIVEOFF (5.00 off from 20.00, 3 uses in all), OLDCODE (expired).
const year = 365 * 86_400_000;
const promo = { startsAt: new Date(Date.now() - year), expiresAt: new Date(Date.now() + 5 * year), active: true };
await definePromotion({ ...promo, code: "WELCOME10", kind: "percent", value: 10, maxDiscount: 1000, minSubtotal: 1500, perUserLimit: 1, globalLimit: 100_000 });
await definePromotion({ ...promo, code: "FIVEOFF", kind: "amount", value: 500, currency: "EUR", minSubtotal: 2000, perUserLimit: 3, globalLimit: 3 });
await definePromotion({ ...promo, code: "OLDCODE", kind: "percent", value: 50, minSubtotal: 0, perUserLimit: 1, globalLimit: 10, expiresAt: new Date(Date.now() - 86_400_000) });
console.log("promos   WELCOME10, FIVEOFF, OLDCODE");

const plan = planCatalog(JSON.parse(readFileSync(join(import.meta.dirname, "demo-catalog.json"), "utf8")));
if (plan.errors.length) throw new Error(`demo-catalog.json is invalid:\n${plan.errors.map((e) => `${e.path}: ${e.message}`).join("\n")}`);
await writeCatalog(plan, (line) => console.log(`catalog  ${line}`));
process.exit(0);
