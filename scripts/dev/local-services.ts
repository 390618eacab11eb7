/**
 * Services a local run starts beside the emulators: the Stripe, Twilio and FCM doubles, the SMTP sink, the task
 * relay (schedule times and task names as Cloud Tasks keeps them) and the fault plan. Started by
 * the project, so `npm start` and `npm test` need nothing running beforehand.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "./emulator-env.ts";

export const STRIPE_DOUBLE_URL = "http://127.0.0.1:12111";
export const TWILIO_DOUBLE_URL = "http://127.0.0.1:12112";
export const FCM_DOUBLE_URL = "http://127.0.0.1:12113";
export const TASK_RELAY_URL = "http://127.0.0.1:12114";
export const FAULT_PLAN_URL = "http://127.0.0.1:12115";
/** The SMTP sink takes mail on 12116 (functions/.env.local SMTP_PORT) and shows it over HTTP here. */
export const SMTP_SINK_URL = "http://127.0.0.1:12117";

/** Starts the Stripe double, delivering webhooks to the Functions emulator; resolves when it listens. */
export function startStripeDouble(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const webhook = `http://${emulatorPorts().functions}/${PROJECT_ID}/us-central1/payments-stripeWebhook`;
  return startDouble("stripe-double.ts", { ...env, STRIPE_DOUBLE_PORT: new URL(STRIPE_DOUBLE_URL).port, STRIPE_DOUBLE_WEBHOOK_URL: webhook });
}

/** Starts the Twilio double (the Messages API); resolves when it listens. */
export function startTwilioDouble(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble("twilio-double.ts", { ...env, TWILIO_DOUBLE_PORT: new URL(TWILIO_DOUBLE_URL).port });
}

/** Starts the FCM double (HTTP v1 send); resolves when it listens. */
export function startFcmDouble(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble("fcm-double.ts", { ...env, FCM_DOUBLE_PORT: new URL(FCM_DOUBLE_URL).port });
}

/** Starts the SMTP sink (mail on 12116, what it received over HTTP); resolves when both listen. */
export function startSmtpSink(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble("smtp-sink.ts", { ...env, SMTP_SINK_PORT: "12116", SMTP_SINK_HTTP_PORT: new URL(SMTP_SINK_URL).port });
}

/** Starts the task relay, which enqueues into the Cloud Tasks emulator when a task is due. */
export function startTaskRelay(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble("task-relay.ts", { ...env, TASK_RELAY_PORT: new URL(TASK_RELAY_URL).port, CLOUD_TASKS_EMULATOR_HOST: emulatorPorts().tasks });
}

/** Starts the fault plan service (no faults until a plan is set). */
export function startFaultPlan(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble("fault-plan.ts", { ...env, FAULT_PLAN_PORT: new URL(FAULT_PLAN_URL).port });
}

/** Starts firebase-tools' Cloud Tasks emulator alone (scripts/load/tasks-emulator.ts), for runs without the Functions emulator. */
export function startTasksEmulator(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startDouble(join("..", "load", "tasks-emulator.ts"), env);
}

/** Every local service `npm test` runs beside the emulators. */
export function startLocalServices(env: NodeJS.ProcessEnv): Promise<ChildProcess[]> {
  return Promise.all([startStripeDouble(env), startTwilioDouble(env), startFcmDouble(env), startSmtpSink(env), startTaskRelay(env), startFaultPlan(env)]);
}

async function startDouble(script: string, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "dev", script)], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve();
    });
  });
  return child;
}
