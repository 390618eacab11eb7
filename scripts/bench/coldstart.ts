/**
 * `npm run bench:coldstart`: what a cold instance pays to load the compiled functions before its
 * first request, beside a bare `require("firebase-functions/https")` measured in the same run.
 * Each sample is a fresh Node process; samples of all cases are interleaved so machine noise
 * hits them alike, and the figures are medians. Prints figures; asserts nothing.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../dev/emulator-env.ts";

const FUNCTIONS_DIR = join(REPO_ROOT, "functions");
const ROUNDS = Number(process.env.ROUNDS ?? 15);

function sample(body: string): number {
  const script = `const t0 = process.hrtime.bigint(); ${body}; console.log(Number(process.hrtime.bigint() - t0) / 1e6);`;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: FUNCTIONS_DIR, encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return Number(run.stdout.trim());
}

function exportedFunctions(): string[] {
  const list = spawnSync(
    process.execPath,
    ["-e", "const m = require('./lib/index.js'); console.log(JSON.stringify(Object.entries(m).flatMap(([g, fns]) => Object.keys(fns).map((n) => g + '.' + n))))"],
    { cwd: FUNCTIONS_DIR, encoding: "utf8" },
  );
  return JSON.parse(list.stdout) as string[];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const cases: Record<string, string> = {
  "bare firebase-functions/https": "require('firebase-functions/https')",
  "entry module (lib/index.js)": "require('./lib/index.js')",
  "discovery: every function": "const m = require('./lib/index.js'); for (const g of Object.values(m)) Object.values(g)",
};
for (const target of exportedFunctions()) {
  const [group, name] = target.split(".");
  cases[`instance of ${group}-${name}`] = `require('./lib/index.js')[${JSON.stringify(group)}][${JSON.stringify(name)}]`;
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [label, body] of Object.entries(cases)) samples[label].push(sample(body));
}

const baseline = median(samples["bare firebase-functions/https"]);
console.log(`cold load, median of ${ROUNDS} fresh processes per case (node ${process.version})`);
console.log(`${"case".padEnd(48)} ${"ms".padStart(8)} ${"ratio".padStart(7)}`);
let worstInstance = 0;
for (const [label, values] of Object.entries(samples)) {
  const ms = median(values);
  const ratio = ms / baseline;
  if (label.startsWith("instance of")) worstInstance = Math.max(worstInstance, ratio);
  console.log(`${label.padEnd(48)} ${ms.toFixed(1).padStart(8)} ${ratio.toFixed(2).padStart(6)}x`);
}
console.log(`worst function instance: ${worstInstance.toFixed(2)}x the bare SDK (target: at most 1.5x)`);
