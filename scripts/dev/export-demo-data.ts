/**
 * Rebuilds emulator-data/ (what `npm start` imports) from scripts/dev/seed-demo.ts:
 * starts empty Auth and Firestore emulators, seeds them, and exports on exit.
 */
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { emulatorEnv, functionsParams, PROJECT_ID, REPO_ROOT } from "./emulator-env.ts";

const target = join(REPO_ROOT, "emulator-data");
rmSync(target, { recursive: true, force: true });
const run = spawnSync(
  "npx",
  ["firebase", "emulators:exec", "--project", PROJECT_ID, "--only", "auth,firestore", "--export-on-exit", target, "tsx scripts/dev/seed-demo.ts"],
  // The seed runs service code in-process (the sign-up handler hashes phone numbers): it needs the functions' params.
  { cwd: REPO_ROOT, env: { ...functionsParams(), ...emulatorEnv().env }, stdio: "inherit" },
);
process.exit(run.status ?? 1);
