import assert from "node:assert/strict";
/**
 * Test access to the running emulator suite, two ways: as the mobile app sees it (the `firebase`
 * JS SDK, signed in as a user) and as an operator (firebase-admin). Emulator addresses come from
 * the variables `firebase emulators:exec` sets, and from firebase.json for Functions.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, createUserWithEmailAndPassword, getAuth, signInWithEmailAndPassword, type User } from "firebase/auth";
import { connectFirestoreEmulator, doc, getFirestore, onSnapshot, type DocumentData, type Firestore } from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from "firebase/functions";
import { CALLABLES } from "../../src/contract/callables";
import type { Role } from "../../src/contract/roles";
import { auth as adminAuth, db as adminDb } from "../../src/shared/firebase";

export const PROJECT_ID = process.env.GCLOUD_PROJECT ?? "demo-food-delivery";

function hostPort(variable: string): { host: string; port: number } {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set: run this test inside \`firebase emulators:exec\` (npm test does).`);
  const [host, port] = value.split(":");
  return { host, port: Number(port) };
}

function functionsEmulator(): { host: string; port: number } {
  const config = JSON.parse(readFileSync(join(dirname(__filename), "..", "..", "..", "firebase.json"), "utf8"));
  return { host: config.emulators.functions.host, port: config.emulators.functions.port };
}

/** URL of an HTTPS function (`group-name`) in the Functions emulator. */
export function functionUrl(name: string): string {
  const { host, port } = functionsEmulator();
  return `http://${host}:${port}/${PROJECT_ID}/us-central1/${name}`;
}

/** firebase-admin against the emulators: the very clients the functions use. */
export function admin() {
  return { db: adminDb(), auth: adminAuth() };
}

/** One signed-in app user, with the SDK surfaces a React Native app uses. */
export interface AppClient {
  app: FirebaseApp;
  user: User;
  functions: Functions;
  firestore: Firestore;
  call<T = unknown>(name: string, data?: unknown): Promise<T>;
  close(): Promise<void>;
}

function clientApp(): { app: FirebaseApp; functions: Functions; firestore: Firestore } {
  const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key", authDomain: `${PROJECT_ID}.firebaseapp.com` }, randomUUID());
  const auth = getAuth(app);
  const authHost = hostPort("FIREBASE_AUTH_EMULATOR_HOST");
  connectAuthEmulator(auth, `http://${authHost.host}:${authHost.port}`, { disableWarnings: true });
  const functions = getFunctions(app, "us-central1");
  const fn = functionsEmulator();
  connectFunctionsEmulator(functions, fn.host, fn.port);
  const firestore = getFirestore(app);
  const fs = hostPort("FIRESTORE_EMULATOR_HOST");
  connectFirestoreEmulator(firestore, fs.host, fs.port);
  return { app, functions, firestore };
}

function wrap(app: FirebaseApp, functions: Functions, firestore: Firestore, user: User | null): AppClient {
  return {
    app,
    user: user as User,
    functions,
    firestore,
    async call<T>(name: string, data?: unknown) {
      const result = await httpsCallable(functions, name)(data);
      return result.data as T;
    },
    close: () => deleteApp(app),
  };
}

/**
 * A callable's answer without the correlation id every object answer carries (checked here), so
 * a test can compare the rest with what the endpoint returns.
 */
export function payload<T extends object>(answer: T): Omit<T, "correlationId"> {
  const { correlationId, ...rest } = answer as T & { correlationId?: unknown };
  assert.match(String(correlationId), /^[0-9a-f-]{36}$/, "every answer carries its correlation id");
  return rest;
}

/** Signs up a new user through the Auth emulator, as the app's sign-up screen does. */
export async function signUp(email = `user-${randomUUID()}@example.test`, password = "correct-horse-battery"): Promise<AppClient> {
  const { app, functions, firestore } = clientApp();
  let credential = await createUserWithEmailAndPassword(getAuth(app), email, password);
  // The Auth emulator reads the clock twice at sign-up: the sign-in time (the token's auth_time)
  // first, the account's "tokens valid after" a moment later. Straddling a second, the new
  // session looks revoked to the session check (Auth's own rule, checkRevoked). A second sign-in,
  // as the app would make after `session-revoked`, starts a session after it.
  const [token, record] = await Promise.all([credential.user.getIdTokenResult(), admin().auth.getUser(credential.user.uid)]);
  if (Date.parse(token.authTime) < Date.parse(record.tokensValidAfterTime ?? token.authTime)) {
    credential = await signInWithEmailAndPassword(getAuth(app), email, password);
  }
  return wrap(app, functions, firestore, credential.user);
}

/** A phone number no other test user holds (Auth keeps verified numbers unique). */
export function randomPhone(): string {
  return `+346${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

/**
 * Gives `client`'s user a phone number as verified by Firebase Auth (set with the admin SDK, as
 * the SMS sign-in would), refreshes its ID token, which then carries `phone_number`, and has the
 * profile mirror it (`auth-syncPhone`, as the app calls after linking a phone).
 */
export async function verifyPhone(client: AppClient, phone = randomPhone()): Promise<string> {
  await admin().auth.updateUser(client.user.uid, { phoneNumber: phone });
  await client.user.getIdToken(true);
  await client.call(CALLABLES.syncPhone, {});
  return phone;
}

/** A newly signed-up user with a verified phone: what cash orders and per-customer promo codes need. */
export async function signUpWithPhone(phone?: string): Promise<AppClient> {
  const client = await signUp();
  await verifyPhone(client, phone);
  return client;
}

/** An existing account (a demo user), signed in with its password as the app's sign-in screen does. */
export async function signIn(email: string, password: string): Promise<AppClient> {
  const { app, functions, firestore } = clientApp();
  const credential = await signInWithEmailAndPassword(getAuth(app), email, password);
  return wrap(app, functions, firestore, credential.user);
}

/** A user holding `role` (set through custom claims by the admin SDK), signed in. */
export async function signInWithRole(role: Role, restaurantIds: string[] = []): Promise<AppClient> {
  const email = `${role}-${randomUUID()}@example.test`;
  const password = "correct-horse-battery";
  const created = await admin().auth.createUser({ email, password });
  await admin().auth.setCustomUserClaims(created.uid, { role, restaurantIds });
  const { app, functions, firestore } = clientApp();
  const credential = await signInWithEmailAndPassword(getAuth(app), email, password);
  return wrap(app, functions, firestore, credential.user);
}

/** Not signed in at all. */
export function anonymousClient(): AppClient {
  const { app, functions, firestore } = clientApp();
  return wrap(app, functions, firestore, null);
}

/**
 * Resolves with the first snapshot of `path` (read through the client SDK, so security rules
 * apply) that satisfies `done`; rejects after `timeoutMs` with the last data seen.
 */
export function waitForDocument(
  firestore: Firestore,
  path: string,
  done: (data: DocumentData | undefined) => boolean,
  timeoutMs = 30_000,
): Promise<DocumentData> {
  return new Promise((resolve, reject) => {
    let last: DocumentData | undefined;
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`Timed out waiting for ${path}; last seen: ${JSON.stringify(last)}`));
    }, timeoutMs);
    const unsubscribe = onSnapshot(
      doc(firestore, path),
      (snapshot) => {
        last = snapshot.data();
        if (done(last)) {
          clearTimeout(timer);
          unsubscribe();
          resolve(last as DocumentData);
        }
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** The error a callable rejected with, for asserting code and details. */
export async function callError(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string; details?: Record<string, unknown> };
    return { code: e.code, message: e.message, details: e.details ?? {} };
  }
  throw new Error("Expected the call to fail, but it succeeded.");
}
