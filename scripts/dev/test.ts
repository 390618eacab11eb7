/**
 * `npm test`: every check the project has, in one command, ending with one summary line.
 *   typecheck -> lint -> build -> unit -> [Stripe, Twilio and FCM doubles + emulator suite: integration, rules, e2e] -> network
 * The network tier runs last: it reads what the network guard saw during all the others.
 * Everything runs even after a failure, so one run reports every problem.
 *
 * `npm test -- word …` runs only the test files whose path contains one of the words, and skips
 * the typecheck and lint steps: the quick loop while working on one area.
 *
 * The summary gives the wall time of every step and tier, the emulator suite's start-up (from
 * its launch to the first emulator tier) and each tier's slowest files: where a run's time goes.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, rmSync } from "node:fs";
import { CACHE_DIR, EMULATOR_OUTPUT_LOG, emulatorEnv, functionsParams, NETWORK_GUARD_LOG, PROJECT_ID, REPO_ROOT, TRACE_SPANS_FILE } from "./emulator-env.ts";
import { startLocalServices } from "./local-services.ts";
import { readResult, resultFile, runTier, testFiles, TIERS, type Tier } from "./tiers.ts";

const started = Date.now();
const { env: base } = emulatorEnv();
// Test processes run service code in-process too: give them the params the emulator gives it.
const env: NodeJS.ProcessEnv = { ...functionsParams(), ...base };
// What the emulator suite prints (the functions' log lines among it), kept for the tests that
// check no personal data is logged.
env.EMULATOR_OUTPUT_LOG = EMULATOR_OUTPUT_LOG;
const only = process.argv.slice(2);
if (only.length > 0) env.TEST_FILES = only.join(",");
rmSync(NETWORK_GUARD_LOG, { force: true });
rmSync(EMULATOR_OUTPUT_LOG, { force: true });
// Spans belong to the run that made them: the file would otherwise grow without end.
rmSync(TRACE_SPANS_FILE, { force: true });
// A tier that cannot start (a port taken) must not report the results of an earlier run.
for (const tier of Object.keys(TIERS) as Tier[]) rmSync(resultFile(tier), { force: true });

const problems: string[] = [];
/** Wall time of each step, in the order they ran. */
const timings: [string, number][] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function step(name: string, command: string, args: string[]): void {
  console.log(`\n▶ ${name}`);
  const began = Date.now();
  const run = spawnSync(command, args, { cwd: REPO_ROOT, env, stdio: "inherit" });
  timings.push([name, Date.now() - began]);
  if (run.status !== 0) problems.push(`${name} failed`);
}

/** Like `step`, with the output also copied into `logFile` as it comes. */
async function teedStep(name: string, command: string, args: string[], logFile: string): Promise<void> {
  console.log(`\n▶ ${name}`);
  const file = createWriteStream(logFile, { flags: "a" });
  const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ["inherit", "pipe", "pipe"] });
  child.stdout.on("data", (chunk: Buffer) => (process.stdout.write(chunk), file.write(chunk)));
  child.stderr.on("data", (chunk: Buffer) => (process.stderr.write(chunk), file.write(chunk)));
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  await new Promise((resolve) => file.end(resolve));
  if (status !== 0) problems.push(`${name} failed`);
}

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
/**
 * tsc rechecks only what changed since the last run (and what depends on it); the build info
 * stays in .cache. The first run checks everything, as before.
 */
const incremental = (name: string) => ["--incremental", "--tsBuildInfoFile", `${CACHE_DIR}/tsbuildinfo/${name}.tsbuildinfo`];

if (only.length === 0) {
  step("typecheck", npx, ["tsc", "-p", "tsconfig.json", "--noEmit", ...incremental("typecheck")]);
  step("typecheck functions", npx, ["tsc", "-p", "functions/tsconfig.json", "--noEmit", ...incremental("typecheck-functions")]);
  step("typecheck console", npx, ["tsc", "-p", "packages/console/tsconfig.json", ...incremental("typecheck-console")]);
  step("lint", npx, ["eslint", "--max-warnings", "0", "."]);
}
// Its build info lives beside the output, so removing functions/lib forces a whole build.
step("build functions", npx, ["tsc", "-p", "functions/tsconfig.build.json", "--incremental", "--tsBuildInfoFile", "functions/lib/.tsbuildinfo"]);

runTier("unit", env);

// The operator console's bundle, which the Hosting emulator serves to the e2e tier (only started for it).
const consoleTested = testFiles(TIERS.e2e.dir, env).length > 0;
if (consoleTested) step("build console", npx, ["vite", "build", "--config", "packages/console/vite.config.ts"]);

const emulatorTiers: Tier[] = ["integration", "rules", "e2e"];
const emulatorLaunched = Date.now();
let emulatorSuiteMs = 0;
// A filtered run that picks no file of the emulator tiers does not start the emulators at all.
if (emulatorTiers.some((tier) => testFiles(TIERS[tier].dir, env).length > 0)) {
  const doubles = await startLocalServices(env);
  timings.push(["local doubles start-up", Date.now() - emulatorLaunched]);
  console.log("\n▶ starting the emulator suite for:", emulatorTiers.join(", "));
  const launched = Date.now();
  await teedStep("emulator suite", npx, [
    "firebase",
    "emulators:exec",
    "--project",
    PROJECT_ID,
    "--only",
    `auth,functions,firestore,pubsub,tasks${consoleTested ? ",hosting" : ""}`,
    // The demo data npm start serves, so a test proves it loads and its credentials work.
    "--import",
    "emulator-data",
    `tsx scripts/dev/run-tiers.ts ${emulatorTiers.join(" ")}`,
  ], EMULATOR_OUTPUT_LOG);
  emulatorSuiteMs = Date.now() - launched;
  for (const double of doubles) double.kill();
} else {
  for (const tier of emulatorTiers) runTier(tier, env);
}
runTier("network", env);

let passed = 0;
let failed = 0;
let skipped = 0;
console.log("\n──────── summary");
for (const tier of Object.keys(TIERS) as Tier[]) {
  const result = readResult(tier);
  if (!result) {
    problems.push(`${tier} tests did not run to completion`);
    console.log(`${tier.padEnd(12)} did not run`);
    continue;
  }
  passed += result.passed;
  failed += result.failed;
  skipped += result.skipped + result.todo;
  const wall = result.wallMs === undefined ? "" : ` in ${seconds(result.wallMs)}`;
  console.log(`${tier.padEnd(12)} ${result.passed} passed, ${result.failed} failed, ${result.skipped + result.todo} skipped${wall}`);
  for (const failure of result.failures) console.log(`  ✖ ${failure}`);
  const slowest = Object.entries(result.fileMs ?? {}).sort((a, b) => b[1] - a[1]).slice(0, 5);
  if (slowest.length > 1) console.log(`  slowest: ${slowest.map(([file, ms]) => `${file.split("/").pop()} ${seconds(ms)}`).join(", ")}`);
}
// The emulator suite's start-up (launch to its first tier) and, after its tiers, its shut-down.
const firstStarted = emulatorTiers.map((tier) => readResult(tier)?.startedAt).find((at) => at !== undefined);
if (firstStarted !== undefined && emulatorSuiteMs > 0) {
  const inSuite = emulatorTiers.reduce((sum, tier) => sum + (readResult(tier)?.wallMs ?? 0), 0);
    const startUp = firstStarted - emulatorLaunched - (timings.find(([name]) => name === "local doubles start-up")?.[1] ?? 0);
  timings.push(["emulator start-up", startUp], ["emulator shut-down", emulatorSuiteMs - startUp - inSuite]);
}
for (const tier of Object.keys(TIERS) as Tier[]) {
  const wallMs = readResult(tier)?.wallMs;
  if (wallMs !== undefined) timings.push([`${tier} tier`, wallMs]);
}
console.log(`time: ${timings.map(([name, ms]) => `${name} ${seconds(ms)}`).join(", ")}`);
// A skipped test is not a passing test: the run fails until it is fixed or removed.
if (skipped > 0) problems.push(`${skipped} tests skipped or todo`);
for (const problem of problems) console.log(`✖ ${problem}`);
console.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 || problems.length > 0 ? 1 : 0);
