/**
 * Children that stop as a whole. Each child starts in a process group of its own, so a stop
 * reaches everything under it (npm exec, the shell, the firebase CLI, the emulators' JVMs), not
 * only the first process, which need not forward signals. The parent forwards every way it can
 * be stopped (Ctrl-C, SIGTERM, SIGHUP, its own exit) to the groups, and stops them when a
 * process it was started under goes away: `kill <pid of npm start>` ends npm without passing
 * the signal down to this process.
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";

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
  const ancestors = ancestorsOf(process.pid);
  setInterval(() => {
    if (!stopping && ancestors.some((pid) => !alive(pid))) onSignal("SIGTERM");
  }, 1_000).unref();
  // A crash or process.exit elsewhere still takes the groups down.
  process.on("exit", () => {
    for (const child of groups) signalGroup(child, "SIGKILL");
  });
}

/** The processes above `pid` up to, not including, init (Linux /proc; elsewhere none). */
function ancestorsOf(pid: number): number[] {
  const chain: number[] = [];
  try {
    for (let parent = parentOf(pid); parent > 1; parent = parentOf(parent)) chain.push(parent);
  } catch {
    // No /proc: signals still stop the stack.
  }
  return chain;
}

function parentOf(pid: number): number {
  // /proc/<pid>/stat: "pid (command) state ppid …"; the command may hold spaces and parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
