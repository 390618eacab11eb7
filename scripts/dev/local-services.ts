/**
 * Services a local run starts beside the emulators: the Stripe double. Started by the project,
 * so `npm start` and `npm test` need nothing running beforehand.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "./emulator-env.ts";

export const STRIPE_DOUBLE_URL = "http://127.0.0.1:12111";

/** Starts the Stripe double, delivering webhooks to the Functions emulator; resolves when it listens. */
export async function startStripeDouble(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const webhook = `http://${emulatorPorts().functions}/${PROJECT_ID}/us-central1/payments-stripeWebhook`;
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts", "dev", "stripe-double.ts")], {
    cwd: REPO_ROOT,
    env: { ...env, STRIPE_DOUBLE_PORT: new URL(STRIPE_DOUBLE_URL).port, STRIPE_DOUBLE_WEBHOOK_URL: webhook },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`Stripe double exited with ${code}`)));
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) resolve();
    });
  });
  return child;
}
