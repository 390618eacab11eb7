/**
 * The environment of an instance of the functions host: what the Functions emulator gives a
 * function (firebase-tools' functionsEmulator getRuntimeEnvs), minus its debug features, plus what
 * Cloud Run sets for the Functions Framework.
 *
 * - Params from functions/.env then .env.local, secrets from .secret.local (functionsParams()).
 * - Project id, FIREBASE_CONFIG, the emulator hosts (Firestore, Auth, Pub/Sub, Tasks), TZ=UTC and
 *   FUNCTIONS_EMULATOR=true: the code's local switches hang on it (task relay, fault plan, span
 *   file instead of Cloud Trace), as under the Functions emulator.
 * - NOT the emulator's FIREBASE_DEBUG_MODE / skipTokenVerification: firebase-functions then
 *   verifies callers' ID tokens with firebase-admin's verifyIdToken, as deployed. With
 *   FIREBASE_AUTH_EMULATOR_HOST set, firebase-admin accepts the Auth emulator's unsigned tokens
 *   but still checks project, issuer, expiry and (checkRevoked) the account; tokens made up
 *   by hand are refused.
 * - Cloud Run's: PORT, K_SERVICE, K_REVISION, FUNCTION_TARGET, FUNCTION_SIGNATURE_TYPE,
 *   FUNCTION_SOURCE, CLOUD_RUN_TIMEOUT_SECONDS, NODE_ENV=production.
 */
import { join } from "node:path";
import { emulatorEnv, emulatorPorts, functionsParams, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";
import type { DeployedOptions } from "../../functions/test/support/deployed-options.ts";

/** The bare function served beside the real ones (scripts/load/hello-world). */
export const HELLO_WORLD_TARGET = "hello-world";

const EXIT_WITH_HOST = join(REPO_ROOT, "scripts", "load", "exit-with-host.cjs");

/** `host:port` of an emulator: the variable emulators:exec sets, else firebase.json. */
function emulatorHost(variable: string, emulator: string): string {
  return process.env[variable] || emulatorPorts()[emulator];
}

export const tasksEmulatorHost = (): string => emulatorHost("CLOUD_TASKS_EMULATOR_HOST", "tasks");

export function instanceEnv(options: DeployedOptions, instance: { port: number; source: string }): NodeJS.ProcessEnv {
  const base = emulatorEnv().env;
  const env: NodeJS.ProcessEnv = {
    ...functionsParams(),
    ...base,
    GCLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    GOOGLE_CLOUD_QUOTA_PROJECT: PROJECT_ID,
    FIREBASE_CONFIG: JSON.stringify({ projectId: PROJECT_ID }),
    FIRESTORE_EMULATOR_HOST: emulatorHost("FIRESTORE_EMULATOR_HOST", "firestore"),
    FIREBASE_AUTH_EMULATOR_HOST: emulatorHost("FIREBASE_AUTH_EMULATOR_HOST", "auth"),
    PUBSUB_EMULATOR_HOST: emulatorHost("PUBSUB_EMULATOR_HOST", "pubsub"),
    CLOUD_TASKS_EMULATOR_HOST: tasksEmulatorHost(),
    FUNCTIONS_EMULATOR: "true",
    TZ: "UTC",
    PORT: String(instance.port),
    K_SERVICE: options.name,
    K_REVISION: "1",
    FUNCTION_TARGET: options.entryPoint,
    FUNCTION_SIGNATURE_TYPE: "http",
    FUNCTION_SOURCE: instance.source,
    CLOUD_RUN_TIMEOUT_SECONDS: String(options.timeoutSeconds),
    NODE_ENV: "production",
    NODE_OPTIONS: [base.NODE_OPTIONS, `--require ${EXIT_WITH_HOST}`].filter(Boolean).join(" "),
  };
  delete env.FIREBASE_DEBUG_MODE;
  delete env.FIREBASE_DEBUG_FEATURES;
  // Set in the process that starts the host (a test run's copy of the emulator's output): not the function's.
  delete env.TEST_FILES;
  return env;
}
