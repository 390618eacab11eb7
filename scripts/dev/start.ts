/**
 * `npm start`: the whole local stack. Builds the functions and the operator console, keeps
 * rebuilding both on change, starts the Stripe double, the SMTP sink and the Auth, Functions,
 * Firestore, Pub/Sub, Cloud Tasks and Hosting (the console) emulators with the demo data of
 * emulator-data/ imported, and prints where everything listens once up.
 * Data changes are not saved back: every start begins from the same demo data.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEMO_PASSWORD, DEMO_USERS } from "./demo-users.ts";
import { CACHE_DIR, emulatorEnv, emulatorPorts, NETWORK_GUARD_LOG, PROJECT_ID, REPO_ROOT, TRACE_SPANS_FILE } from "./emulator-env.ts";
import { SMTP_SINK_URL, STRIPE_DOUBLE_URL, startFaultPlan, startSmtpSink, startStripeDouble, startTaskRelay, TASK_RELAY_URL } from "./local-services.ts";
import { adopt, spawnGroup, stopGroups, stopGroupsOnSignals } from "./process-groups.ts";
import { StartOutput } from "./start-output.ts";
import { startWorkerReaper } from "./worker-reaper.ts";

const EMULATORS = ["auth", "functions", "firestore", "pubsub", "tasks", "hosting"];
const { env, offlineJars } = emulatorEnv();
// The warning printed once the stack is up counts this run's refused connections only.
rmSync(NETWORK_GUARD_LOG, { force: true });
// Spans belong to the session that made them (`npm run trace` reads this session's orders).
rmSync(TRACE_SPANS_FILE, { force: true });
stopGroupsOnSignals();

console.log("Building functions…");
const build = spawnSync("npx", ["tsc", "-p", "functions/tsconfig.build.json"], { cwd: REPO_ROOT, env, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

// The Functions emulator reloads when functions/lib changes; this keeps lib in step with src.
spawnGroup("npx", ["tsc", "-p", "functions/tsconfig.build.json", "--watch", "--preserveWatchOutput"], {
  cwd: REPO_ROOT,
  env,
  stdio: ["ignore", "ignore", "inherit"],
});

// The operator console (packages/console), served by the Hosting emulator; rebuilt on change.
console.log("Building the operator console…");
const consoleBuild = spawnSync("npx", ["vite", "build", "--config", "packages/console/vite.config.ts"], { cwd: REPO_ROOT, env, stdio: "inherit" });
if (consoleBuild.status !== 0) process.exit(consoleBuild.status ?? 1);
spawnGroup("npx", ["vite", "build", "--config", "packages/console/vite.config.ts", "--watch"], { cwd: REPO_ROOT, env, stdio: ["ignore", "ignore", "inherit"] });

for (const service of [await startStripeDouble(env), await startSmtpSink(env), await startTaskRelay(env), await startFaultPlan(env)]) adopt(service);

const dataDir = join(REPO_ROOT, "emulator-data");
const emulators = spawnGroup(
  "npx",
  ["firebase", "emulators:start", "--project", PROJECT_ID, "--only", EMULATORS.join(","), ...(existsSync(dataDir) ? ["--import", dataDir] : [])],
  // Push and SMS land in the Firestore collection devOutbox instead of FCM and Twilio.
  { cwd: REPO_ROOT, env: { ...env, NOTIFICATIONS_DEV_OUTBOX: "true" }, stdio: ["ignore", "pipe", "inherit"] },
);

// The CLI says when every emulator, functions included, is ready; the banner follows that line.
const STACK_LOG = join(CACHE_DIR, "stack-output.log");
const fullLog = createWriteStream(STACK_LOG);
const output = new StartOutput();
emulators.stdout?.on("data", (chunk: Buffer) => {
  fullLog.write(chunk);
  const wasReady = output.isReady;
  process.stdout.write(output.take(chunk.toString()));
  if (!wasReady && output.isReady) setTimeout(printBanner, 100);
});

emulators.on("exit", (code) => void stopGroups(code ?? 0));

if (emulators.pid !== undefined) {
  startWorkerReaper({
    group: emulators.pid,
    entryFile: join(REPO_ROOT, "functions", "lib", "index.js"),
    max: Number(process.env.EMULATOR_MAX_WORKERS ?? 40),
    say: (line) => console.log(`i  npm start: ${line}`),
  });
}


function printBanner(): void {
  const ports = emulatorPorts();
  const rows = EMULATORS.map((name) => `  ${name.padEnd(10)} http://${ports[name]}`);
  const users = DEMO_USERS.map((u) => `  ${u.role.padEnd(10)} ${u.email.padEnd(22)} password: ${DEMO_PASSWORD}`);
  const guardHits = existsSync(NETWORK_GUARD_LOG) ? readFileSync(NETWORK_GUARD_LOG, "utf8").trim().split("\n").length : 0;
  console.log(
    [
      "",
      `Local stack is up (project ${PROJECT_ID}${offlineJars ? ", offline emulators from the Google Cloud SDK" : ""}).`,
      ...rows,
      `  callables  http://${ports.functions}/${PROJECT_ID}/us-central1/<group>-<name>`,
      `  console    http://${ports.hosting}/ (operator console: sign in as the demo admin)`,
      `  stripe     ${STRIPE_DOUBLE_URL} (local Stripe double; confirm a card payment: POST /_double/payment_intents/<id>/confirm)`,
      `  tasks      ${TASK_RELAY_URL}/tasks (delayed tasks held until due; POST /run fires them now)`,
      "  messages   push and SMS land in the Firestore collection devOutbox: follow them with npm run dev:outbox",
      `  email      smtp://127.0.0.1:12116 (local SMTP sink; what it received: ${SMTP_SINK_URL}/_double/messages, and npm run dev:outbox)`,
      "Demo users:",
      ...users,
      `  log        ${STACK_LOG} (everything the emulators print)`,
      guardHits ? `Warning: ${guardHits} connection attempts beyond loopback were refused; see ${NETWORK_GUARD_LOG}` : "",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
}
