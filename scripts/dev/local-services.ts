/**
 * Services a local run starts beside the emulators: the Stripe, Twilio and FCM doubles. Started by
 * the project, so `npm start` and `npm test` need nothing running beforehand.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "./emulator-env.ts";

export const STRIPE_DOUBLE_URL = "http://127.0.0.1:12111";
export const TWILIO_DOUBLE_URL = "http://127.0.0.1:12112";
export const FCM_DOUBLE_URL = "http://127.0.0.1:12113";

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
