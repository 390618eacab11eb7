/**
 * Children that stop as a whole. Each child starts in a process group of its own, so a stop
 * reaches everything under it (npm exec, the shell, the firebase CLI, the emulators' JVMs), not
 * only the first process, which need not forward signals. The parent forwards every way it can
 * be stopped (Ctrl-C, SIGTERM, SIGHUP, its own exit) to the groups.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const STOP_GRACE_MS = 10_000;
const groups = new Set<ChildProcess>();

/** Spawns `command` as the leader of a new process group this module will stop. */
export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  const child = spawn(command, args, { ...options, detached: true });
  leaders.add(child);
  return adopt(child);
}

/** Stops `child` (a single process, or a group leader from spawnGroup) with the others. */
export function adopt(child: ChildProcess): ChildProcess {
  groups.add(child);
  child.once("exit", () => groups.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // A negative pid names the process group; a child not made a leader is signalled alone.
    process.kill(isLeader(child) ? -child.pid : child.pid, signal);
  } catch {
    // Already gone.
  }
}

const leaders = new WeakSet<ChildProcess>();
const isLeader = (child: ChildProcess) => leaders.has(child);

/** Asks every group to stop, kills what is left after the grace period, then exits with `code`. */
export async function stopGroups(code: number): Promise<never> {
  for (const child of groups) signalGroup(child, "SIGINT");
  const deadline = Date.now() + STOP_GRACE_MS;
  while (groups.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const child of groups) signalGroup(child, "SIGKILL");
  process.exit(code);
}

/** Stops the groups on Ctrl-C, SIGTERM or SIGHUP, once; a second signal kills them at once. */
export function stopGroupsOnSignals(): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      for (const child of groups) signalGroup(child, "SIGKILL");
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the local stack…`);
    void stopGroups(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  // A crash or process.exit elsewhere still takes the groups down.
  process.on("exit", () => {
    for (const child of groups) signalGroup(child, "SIGKILL");
  });
}
