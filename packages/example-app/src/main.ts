/**
 * Runs the journey against the emulators named by the usual variables
 * (FIREBASE_AUTH_EMULATOR_HOST, FIRESTORE_EMULATOR_HOST) and FUNCTIONS_EMULATOR_ORIGIN
 * (`host:port`), and prints one line: `journey {json}`. Exits non-zero on any failure.
 *
 *   node --import tsx packages/example-app/src/main.ts
 */
import { runJourney } from "./journey.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run inside \`firebase emulators:exec\`.`);
  return value;
}

const phone = process.env.JOURNEY_PHONE ?? `+346${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
const result = await runJourney(
  {
    projectId: process.env.GCLOUD_PROJECT ?? "demo-food-delivery",
    auth: required("FIREBASE_AUTH_EMULATOR_HOST"),
    firestore: required("FIRESTORE_EMULATOR_HOST"),
    functions: process.env.FUNCTIONS_EMULATOR_ORIGIN ?? "127.0.0.1:5001",
  },
  { restaurantId: "demo-restaurant-1", staffEmail: "staff@demo.test", staffPassword: "demo-password" },
  phone,
);
console.log(`journey ${JSON.stringify({ ...result, client: import.meta.resolve("@food-delivery/client") })}`);
process.exit(0);
