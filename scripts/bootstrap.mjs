// Runs before `npm start` and `npm test` (npm's pre-scripts), so both work on a fresh clone:
// installs the root and functions packages from their lockfiles when they are missing or older
// than the lockfile. Plain JavaScript because nothing is installed yet when it runs.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

function stale(dir) {
  const lock = join(dir, "package-lock.json");
  const installed = join(dir, "node_modules", ".package-lock.json");
  return !existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs;
}

for (const dir of [root, join(root, "functions")]) {
  if (!stale(dir)) continue;
  console.log(`Installing dependencies in ${dir} (npm ci)…`);
  const run = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

// The console's e2e tier (functions/test/e2e) drives a system Chromium; nothing is downloaded
// for it. Said here, before a long run, rather than only when that tier fails. Installing it
// is left to the person (`apt-get install chromium` on Debian): a test command that changes the
// system's packages would surprise, and needs the network this step must not depend on.
const chromium = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => path && existsSync(path));
if (!chromium) {
  console.warn("Note: no Chromium found (checked CHROMIUM_PATH, /usr/bin/chromium, /usr/bin/chromium-browser).");
  console.warn("      The operator console's e2e tier will fail until one is installed: apt-get install chromium (Debian).");
}
