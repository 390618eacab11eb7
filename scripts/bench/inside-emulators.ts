/**
 * Benchmarks run against the emulators. Run from a shell, a benchmark re-runs itself inside
 * `firebase emulators:exec` and prints only its own lines (those it writes with `say`); the
 * emulators' logs of every function call stay out of the figures.
 */
import { spawnSync } from "node:child_process";
import { emulatorEnv, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";

const PREFIX = "bench ";

/** Inside the emulators: returns. Outside: runs `script` inside them and exits with its status. */
export function ensureInsideEmulators(script: string, emulators: string): void {
  if (process.env.FIRESTORE_EMULATOR_HOST) return;
  const run = spawnSync("npx", ["firebase", "emulators:exec", "--project", PROJECT_ID, "--only", emulators, `tsx ${script}`], {
    cwd: REPO_ROOT,
    env: emulatorEnv().env,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  for (const line of (run.stdout ?? "").split("\n")) if (line.startsWith(PREFIX)) console.log(line.slice(PREFIX.length));
  process.exit(run.status ?? 1);
}

/** Prints a line of figures. */
export const say = (line = "") => console.log(`${PREFIX}${line}`);
