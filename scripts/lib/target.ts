/**
 * Where an admin script writes: the local emulators (the default, demo project), or a real
 * project named with `--project`, reached with Application Default Credentials
 * (`gcloud auth application-default login`). Call before the first Firestore or Auth use.
 */
import { emulatorPorts, PROJECT_ID } from "../dev/emulator-env.ts";

export interface Target {
  projectId: string;
  emulator: boolean;
}

export function useTarget(project: string | undefined): Target {
  if (project && !project.startsWith("demo-")) {
    for (const name of ["FIRESTORE_EMULATOR_HOST", "FIREBASE_AUTH_EMULATOR_HOST", "CLOUD_TASKS_EMULATOR_HOST", "PUBSUB_EMULATOR_HOST"]) delete process.env[name];
    process.env.GCLOUD_PROJECT = project;
    process.env.GOOGLE_CLOUD_PROJECT = project;
    return { projectId: project, emulator: false };
  }
  const ports = emulatorPorts();
  process.env.FIRESTORE_EMULATOR_HOST ??= ports.firestore;
  process.env.FIREBASE_AUTH_EMULATOR_HOST ??= ports.auth;
  process.env.PUBSUB_EMULATOR_HOST ??= ports.pubsub;
  process.env.CLOUD_TASKS_EMULATOR_HOST ??= ports.tasks;
  process.env.GCLOUD_PROJECT = project ?? PROJECT_ID;
  process.env.METADATA_SERVER_DETECTION = "none";
  return { projectId: project ?? PROJECT_ID, emulator: true };
}

export function describeTarget(target: Target): string {
  return target.emulator ? `emulators (${target.projectId}, Firestore at ${process.env.FIRESTORE_EMULATOR_HOST})` : `PROJECT ${target.projectId}`;
}
