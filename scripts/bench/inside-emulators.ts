/**
 * Benchmarks run against the emulators. Run from a shell, a benchmark re-runs itself inside
 * `firebase emulators:exec` and prints only its own lines (those it writes with `say`); the
 * emulators' logs of every function call stay out of the figures.
 */
import { spawnSync, type ChildProcess } from "node:child_process";
import { emulatorEnv, functionsParams, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";

const PREFIX = "bench ";

/** Inside the emulators: returns. Outside: runs `script` inside them and exits with its status. */
export function ensureInsideEmulators(script: string, emulators: string): void {
  if (process.env.FIRESTORE_EMULATOR_HOST) return;
  const run = spawnSync("npx", ["firebase", "emulators:exec", "--project", PROJECT_ID, "--only", emulators, `tsx ${script}`], {
    cwd: REPO_ROOT,
    // In-process service code reads its params from the environment, as the emulator gives them.
    env: { ...functionsParams(), ...emulatorEnv().env },
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  for (const line of (run.stdout ?? "").split("\n")) if (line.startsWith(PREFIX)) console.log(line.slice(PREFIX.length));
  process.exit(run.status ?? 1);
}

/** Prints a line of figures. */
export const say = (line = "") => console.log(`${PREFIX}${line}`);

/** Whether a local double answers at `probeUrl`. */
export const doubleListening = (probeUrl: string): Promise<boolean> =>
  fetch(probeUrl).then(
    (response) => response.ok,
    () => false,
  );

/**
 * The Functions emulator reaches the doubles at the URLs in functions/.env.local, so they must
 * listen before the emulators start: from a shell, start one unless one already listens (npm
 * start's is used as is); it stops when the benchmark does.
 */
export async function startDoubleIfAbsent(probeUrl: string, start: (env: NodeJS.ProcessEnv) => Promise<ChildProcess>): Promise<void> {
  if (process.env.FIRESTORE_EMULATOR_HOST || (await doubleListening(probeUrl))) return;
  const double = await start(emulatorEnv().env);
  process.on("exit", () => double.kill());
}
