/**
 * `npm run bench:notify`: one broadcast to USERS (default 5,000) customers with DEVICES_EACH
 * (default 2) devices each, generated on the fly, through the admin callable, the Cloud Tasks
 * batches and firebase-admin messaging against the local FCM double. Prints batches, sendEach
 * calls, messages, wall time, the batch worker's peak memory, and duplicates and misses counted
 * by the FCM double (both must be 0). Asserts nothing. Starts the FCM double and its own
 * emulators when run outside them.
 */
import { randomUUID } from "node:crypto";
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { CALLABLES } from "../../functions/src/contract/callables.ts";
import { DEFAULT_PREFERENCES } from "../../functions/src/contract/notifications.ts";
import { broadcastTotals } from "../../functions/src/notifications/broadcast.service.ts";
import { deviceId } from "../../functions/src/notifications/devices.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { emulatorPorts, PROJECT_ID } from "../dev/emulator-env.ts";
import { FCM_DOUBLE_URL, startFcmDouble } from "../dev/local-services.ts";
import { doubleListening, ensureInsideEmulators, say, startDoubleIfAbsent } from "./inside-emulators.ts";

const USERS = Number(process.env.USERS ?? 5000);
const DEVICES_EACH = Number(process.env.DEVICES_EACH ?? 2);
const TIMEOUT_MS = 15 * 60_000;

const FCM_PROBE = `${FCM_DOUBLE_URL}/_double/summary`;
await startDoubleIfAbsent(FCM_PROBE, startFcmDouble);
ensureInsideEmulators("scripts/bench/notify.ts", "auth,functions,firestore,pubsub,tasks");

if (!(Number.isInteger(USERS) && USERS > 0 && Number.isInteger(DEVICES_EACH) && DEVICES_EACH > 0)) {
  say(`USERS and DEVICES_EACH must be whole numbers above 0 (got ${process.env.USERS}, ${process.env.DEVICES_EACH})`);
  process.exit(1);
}
if (!(await doubleListening(FCM_PROBE))) {
  say(`no FCM double at ${FCM_DOUBLE_URL}; run from a shell (it starts one).`);
  process.exit(1);
}

const run = randomUUID().slice(0, 8);
const restaurantId = `bench-notify-${run}`;
const broadcastId = `bench-${run}`;

// ---- audience -----------------------------------------------------------------------------

const seedStarted = Date.now();
await db().collection(COLLECTIONS.restaurants).doc(restaurantId).set({ name: "Bench Pizzeria", published: true });
const writer = db().bulkWriter();
const preferences = { ...DEFAULT_PREFERENCES, channels: { ...DEFAULT_PREFERENCES.channels, promotions: { push: true, sms: false } } };
for (let i = 0; i < USERS; i++) {
  const uid = `${run}-${String(i).padStart(6, "0")}`;
  void writer.set(db().collection(COLLECTIONS.users).doc(uid), { uid, role: "customer", locale: i % 3 === 0 ? "es" : "en", timeZone: "UTC", phone: null, notificationPreferences: preferences });
  void writer.set(db().collection(COLLECTIONS.restaurantAudiences).doc(restaurantId).collection(COLLECTIONS.customers).doc(uid), { orders: 1 });
  const targets: Record<string, string> = {};
  for (let d = 0; d < DEVICES_EACH; d++) {
    const token = `bench-${uid}-${d}:APA91b${randomUUID().replace(/-/g, "")}`;
    targets[deviceId(token)] = token;
    void writer.set(db().collection(COLLECTIONS.devices).doc(deviceId(token)), { uid, token, platform: d % 2 ? "ios" : "android", appVersion: "3.2.0" });
  }
  void writer.set(db().collection(COLLECTIONS.pushTargets).doc(uid), { devices: targets });
}
await writer.close();
say(`audience: ${USERS} users, ${USERS * DEVICES_EACH} devices, written in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

// ---- the broadcast, as an admin starts it -------------------------------------------------

const email = `bench-admin-${run}@example.test`;
const { uid: adminUid } = await auth().createUser({ email, password: "bench-password" });
await auth().setCustomUserClaims(adminUid, { role: "admin" });
const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, `bench-notify-${run}`);
const ports = emulatorPorts();
connectAuthEmulator(getAuth(app), `http://${ports.auth}`, { disableWarnings: true });
await signInWithEmailAndPassword(getAuth(app), email, "bench-password");
const functions = getFunctions(app, "us-central1");
const [host, port] = ports.functions.split(":");
connectFunctionsEmulator(functions, host, Number(port));

const message = { en: { title: "Two for one tonight", body: "Every pizza, until 23:00." }, es: { title: "Dos por uno esta noche", body: "Todas las pizzas, hasta las 23:00." } };
const started = Date.now();
await httpsCallable(functions, CALLABLES.startBroadcast)({ broadcastId, segment: { kind: "restaurant-customers", restaurantId }, message });
let status = "running";
while (status === "running" && Date.now() - started < TIMEOUT_MS) {
  await new Promise((resolve) => setTimeout(resolve, 500));
  status = (await db().collection(COLLECTIONS.broadcasts).doc(broadcastId).get()).get("status");
}
const wallMs = Date.now() - started;

const totals = await broadcastTotals(broadcastId);
const seen = (await (await fetch(`${FCM_DOUBLE_URL}/_double/summary?broadcastId=${broadcastId}`)).json()) as { messages: number; tokens: number; duplicates: number };
const devices = USERS * DEVICES_EACH;
say(`broadcast ${broadcastId}: ${status} in ${(wallMs / 1000).toFixed(1)} s`);
say("");
say("| figure | value |");
say("|---|---|");
say(`| recipients (users) | ${USERS} |`);
say(`| devices | ${devices} |`);
say(`| batches (Cloud Tasks) | ${totals.batches} |`);
say(`| sendEach calls (≤ 500 messages each) | ${totals.pushCalls} |`);
say(`| messages received by the FCM double | ${seen.messages} |`);
say(`| ledger: sent / failed / skipped | ${totals.sent} / ${totals.failed} / ${totals.skipped} |`);
say(`| wall time, start call to done | ${(wallMs / 1000).toFixed(1)} s |`);
say(`| throughput | ${Math.round(seen.messages / (wallMs / 1000))} messages/s |`);
say(`| peak RSS of the batch worker | ${totals.peakRssMb} MB |`);
say(`| duplicates (same device twice) | ${seen.duplicates} |`);
say(`| devices missed | ${devices - seen.tokens} |`);
process.exit(status === "done" ? 0 : 1);
