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
  integration: { dir: "functions/test/integration", concurrency: 1, needsEmulators: true },
  rules: { dir: "functions/test/rules", concurrency: 1, needsEmulators: true },
  network: { dir: "functions/test/network", concurrency: 1, needsEmulators: false },
} as const;
export type Tier = keyof typeof TIERS;

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

/** Runs one tier; returns the runner's exit code. */
export function runTier(tier: Tier, env: NodeJS.ProcessEnv = process.env): number {
  const { dir, concurrency } = TIERS[tier];
  const files = testFiles(dir, env);
  mkdirSync(RESULTS_DIR, { recursive: true });
  rmSync(resultFile(tier), { force: true });
  console.log(`\n▶ ${tier} tests (${files.length} files)`);
  if (files.length === 0) {
    // A filtered run may leave a tier nothing to do; an unfiltered tier with no tests is broken.
    if (fileFilter(env).length === 0) return 1;
    writeFileSync(resultFile(tier), JSON.stringify({ passed: 0, failed: 0, skipped: 0, todo: 0, failures: [] }));
    return 0;
  }
  const args = [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-reporter=spec",
    "--test-reporter-destination=stdout",
    `--test-reporter=${join(REPO_ROOT, "scripts", "dev", "summary-reporter.mjs")}`,
    `--test-reporter-destination=${resultFile(tier)}`,
    ...files,
  ];
  const started = Date.now();
  const run = spawnSync(process.execPath, args, { cwd: REPO_ROOT, env, stdio: "inherit" });
  const result = readResult(tier);
  if (result) writeFileSync(resultFile(tier), JSON.stringify({ ...result, startedAt: started, wallMs: Date.now() - started }));
  return run.status ?? 1;
}

export function readResult(tier: Tier): TierResult | undefined {
  if (!existsSync(resultFile(tier))) return undefined;
  const text = readFileSync(resultFile(tier), "utf8").trim();
  return text ? (JSON.parse(text) as TierResult) : undefined;
}
