/**
 * Keeps a long `npm start` session's memory flat. The Functions emulator starts a Node worker
 * per function whenever the ones it has are busy, and keeps every idle worker until the code
 * changes: after a busy hour that is 100+ processes and about 10 GB. When the suite holds more
 * than `EMULATOR_MAX_WORKERS` (default 40) workers, the reaper rewrites functions/lib/index.js
 * unchanged: the emulator reloads as it does on any edit, stops its idle workers at once and
 * lets busy ones finish their request first, so nothing in flight is lost.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

const CHECK_EVERY_MS = 60_000;

/** Worker processes (functionsEmulatorRuntime) in process group `group`. */
export function countWorkers(group: number): number {
  const table = execFileSync("ps", ["-eo", "pgid=,args="], { encoding: "utf8" });
  return table.split("\n").filter((row) => {
    const [pgid, ...args] = row.trim().split(/\s+/);
    return Number(pgid) === group && args.join(" ").includes("functionsEmulatorRuntime");
  }).length;
}

export function startWorkerReaper(options: { group: number; entryFile: string; max: number; say: (line: string) => void }): NodeJS.Timeout {
  const timer = setInterval(() => {
    let workers: number;
    try {
      workers = countWorkers(options.group);
    } catch {
      return; // no ps here: nothing to measure, nothing to do
    }
    if (workers <= options.max) return;
    options.say(`functions emulator holds ${workers} workers (over ${options.max}): reloading to stop the idle ones`);
    writeFileSync(options.entryFile, readFileSync(options.entryFile));
  }, CHECK_EVERY_MS);
  timer.unref();
  return timer;
}
