/**
 * The test tiers and how one is run: node's test runner over the tier's files, the spec
 * reporter on the console and the summary reporter into .cache/test-results/<tier>.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CACHE_DIR, REPO_ROOT } from "./emulator-env.ts";

export const TIERS = {
  unit: { dir: "functions/test/unit", concurrency: 2, needsEmulators: false },
  integration: { dir: "functions/test/integration", concurrency: 3, needsEmulators: true },
  rules: { dir: "functions/test/rules", concurrency: 1, needsEmulators: true },
  /** The operator console in headless Chromium, served by the Hosting emulator (packages/console). */
  e2e: { dir: "functions/test/e2e", concurrency: 1, needsEmulators: true },
  network: { dir: "functions/test/network", concurrency: 1, needsEmulators: false },
} as const;
export type Tier = keyof typeof TIERS;

/**
 * Integration files that run alone, one after another, once the rest have run side by side:
 * each changes or reads what every test shares (the fault plan, the provider doubles' failure
 * rules, sweeps over every order, the emulators' log). The list and each file's reason live in
 * functions/test/integration/run-alone.json, beside the files.
 */
export const RUN_ALONE: ReadonlySet<string> = new Set(
  Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, "functions", "test", "integration", "run-alone.json"), "utf8")) as { files: Record<string, string> }).files),
);

export interface TierResult {
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  failures: string[];
  /** Per test file, the time its top-level suites took (ms). */
  fileMs?: Record<string, number>;
  /** When the tier's runner started (epoch ms) and its wall time, start to exit (ms). */
  startedAt?: number;
  wallMs?: number;
}

const RESULTS_DIR = join(CACHE_DIR, "test-results");

export function resultFile(tier: Tier): string {
  return join(RESULTS_DIR, `${tier}.json`);
}

/**
 * `npm test -- stock checkout` runs only the test files whose path contains one of the words
 * (passed on to the tiers' processes as TEST_FILES, comma-separated).
 */
export function fileFilter(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.TEST_FILES ?? "").split(",").filter(Boolean);
}

export function testFiles(dir: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const root = join(REPO_ROOT, dir);
  if (!existsSync(root)) return [];
  const only = fileFilter(env);
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".test.ts"))
    .filter((file) => only.length === 0 || only.some((word) => join(dir, file).includes(word)))
    .sort()
    .map((file) => relative(REPO_ROOT, join(root, file)));
}

/**
 * The runs a tier's files make: a tier's files side by side (up to its concurrency), except the
 * integration files that must run alone, which follow one at a time.
 */
function batches(tier: Tier, files: string[]): { files: string[]; concurrency: number }[] {
  const { concurrency } = TIERS[tier];
  if (tier !== "integration") return [{ files, concurrency }];
  const alone = files.filter((file) => RUN_ALONE.has(file.split("/").pop() ?? ""));
  const together = files.filter((file) => !alone.includes(file));
  return [
    { files: together, concurrency },
    { files: alone, concurrency: 1 },
  ].filter((batch) => batch.files.length > 0);
}

/** Runs one tier; returns the runner's exit code. */
export function runTier(tier: Tier, env: NodeJS.ProcessEnv = process.env): number {
  const files = testFiles(TIERS[tier].dir, env);
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(resultFile(tier), { force: true });
  console.log(`\n▶ ${tier} tests (${files.length} files)`);
  if (files.length === 0) {
    // A filtered run may leave a tier nothing to do; an unfiltered tier with no tests is broken.
    if (fileFilter(env).length === 0) return 1;
    writeFileSync(resultFile(tier), JSON.stringify({ passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] }));
    return 0;
  }
  const started = Date.now();
  let status = 0;
  const results: TierResult[] = [];
  for (const [index, batch] of batches(tier, files).entries()) {
    if (index > 0) console.log(`\n▶ ${tier} tests that run alone (${batch.files.length} files)`);
    const destination = `${resultFile(tier)}.${index}`;
    rmSync(destination, { force: true });
    const args = [
      "--import",
      "tsx",
      "--test",
      `--test-concurrency=${batch.concurrency}`,
      "--test-reporter=spec",
      "--test-reporter-destination=stdout",
      `--test-reporter=${join(REPO_ROOT, "scripts", "dev", "summary-reporter.mjs")}`,
      `--test-reporter-destination=${destination}`,
      ...batch.files,
    ];
    const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, stdio: "inherit" });
    if (run.status !== 0) status = run.status ?? 1;
    const text = existsSync(destination) ? readFileSync(destination, "utf8").trim() : "";
    rmSync(destination, { force: true });
    // A run that died before its reporter wrote leaves no result: the tier did not complete.
    if (!text) return status || 1;
    results.push(JSON.parse(text) as TierResult);
  }
  const merged: TierResult = {
    passed: results.reduce((sum, r) => sum + r.passed, 0),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    skipped: results.reduce((sum, r) => sum + r.skipped, 0),
    todo: results.reduce((sum, r) => sum + r.todo, 0),
    failures: results.flatMap((r) => r.failures),
    fileMs: Object.assign({}, ...results.map((r) => r.fileMs ?? {})),
    startedAt: started,
    wallMs: Date.now() - started,
  };
  writeFileSync(resultFile(tier), JSON.stringify(merged));
  return status;
}

export function readResult(tier: Tier): TierResult | undefined {
  if (!existsSync(resultFile(tier))) return undefined;
  const text = readFileSync(resultFile(tier), "utf8").trim();
  return text ? (JSON.parse(text) as TierResult) : undefined;
}
