/**
 * Lazily created Firebase Admin clients. Requiring firebase-admin costs tens of milliseconds,
 * and a cold instance should pay only for the services its handler touches.
 */
import type { App } from "firebase-admin/app";
import type { AppCheck } from "firebase-admin/app-check";
import type { Auth } from "firebase-admin/auth";
import type { Firestore } from "firebase-admin/firestore";
import type { Functions } from "firebase-admin/functions";

let app: App | undefined;
let firestore: Firestore | undefined;

export function adminApp(): App {
  if (!app) {
    const { getApps, initializeApp } = require("firebase-admin/app") as typeof import("firebase-admin/app");
    app = getApps()[0] ?? initializeApp(emulatedIdentity());
  }
  return app;
}

/**
 * Enqueueing a task needs a service account for its OIDC token. Deployed, firebase-admin finds
 * it through the metadata server; under the emulator there is none, so name the emulator's own
 * placeholder account and keep every request on loopback.
 */
function emulatedIdentity(): { serviceAccountId: string } | undefined {
  return process.env.CLOUD_TASKS_EMULATOR_HOST ? { serviceAccountId: "emulated-service-acct@email.com" } : undefined;
}

export function db(): Firestore {
  if (!firestore) {
    const { getFirestore } = require("firebase-admin/firestore") as typeof import("firebase-admin/firestore");
    firestore = getFirestore(adminApp());
    try {
      firestore.settings({ ignoreUndefinedProperties: true });
    } catch {
      // Already configured, with these same settings, by a second copy of this module
      // (scripts load it through both module systems).
    }
  }
  return firestore;
}

export function auth(): Auth {
  const { getAuth } = require("firebase-admin/auth") as typeof import("firebase-admin/auth");
  return getAuth(adminApp());
}

export function appCheck(): AppCheck {
  const { getAppCheck } = require("firebase-admin/app-check") as typeof import("firebase-admin/app-check");
  return getAppCheck(adminApp());
}

export function functionsAdmin(): Functions {
  const { getFunctions } = require("firebase-admin/functions") as typeof import("firebase-admin/functions");
  return getFunctions(tasksApp());
}

/**
 * Under the emulator, enqueueing uses an app of its own that carries the placeholder account:
 * the default app may have been initialized before us, without it (firebase-functions does so
 * for Firestore triggers), and would then ask the metadata server for an account.
 */
function tasksApp(): App {
  const identity = emulatedIdentity();
  if (!identity) return adminApp();
  const { getApps, initializeApp } = require("firebase-admin/app") as typeof import("firebase-admin/app");
  return getApps().find((candidate) => candidate.name === "emulated-tasks") ?? initializeApp(identity, "emulated-tasks");
}

/** FieldValue and Timestamp, loaded with Firestore. */
export function firestoreValues(): Pick<typeof import("firebase-admin/firestore"), "FieldValue" | "Timestamp"> {
  db();
  const { FieldValue, Timestamp } = require("firebase-admin/firestore") as typeof import("firebase-admin/firestore");
  return { FieldValue, Timestamp };
}
