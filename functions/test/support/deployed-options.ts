/**
 * What each function runs with once deployed: the options its declaration carries (`__endpoint`,
 * global options merged in) resolved the way `firebase deploy` resolves them. One home for the
 * rules, read by the functions host (concurrency per instance, instance count, task queues) and
 * by the bulkhead table in the README (a unit test keeps the two in step).
 */

/** The part of a firebase-functions `__endpoint` these rules read. */
export interface Endpoint {
  platform?: string;
  concurrency?: number | null;
  cpu?: number | "gcf_gen1" | null;
  availableMemoryMb?: number | null;
  maxInstances?: number | null;
  minInstances?: number | null;
  timeoutSeconds?: number | null;
  httpsTrigger?: unknown;
  callableTrigger?: unknown;
  blockingTrigger?: unknown;
  eventTrigger?: { eventType?: string };
  scheduleTrigger?: unknown;
  taskQueueTrigger?: { rateLimits?: { maxConcurrentDispatches?: number | null; maxDispatchesPerSecond?: number | null } };
}

export type TriggerKind = "callable" | "https" | "task" | "event" | "schedule" | "blocking";

export interface DeployedOptions {
  /** Deployed name, `group-function`. */
  name: string;
  /** Export path, as `firebase deploy` gives Cloud Run as the entry point (`group.function`). */
  entryPoint: string;
  trigger: TriggerKind;
  memoryMiB: number;
  cpu: number;
  /** Requests one instance serves at once. */
  concurrency: number;
  /** Instances Cloud Run may start; `undefined` is the platform's default (100). */
  maxInstances: number | undefined;
  minInstances: number;
  timeoutSeconds: number;
  /** Task queues only: what Cloud Tasks dispatches (undefined: Cloud Tasks' defaults). */
  queue?: { maxConcurrentDispatches: number | undefined; maxDispatchesPerSecond: number | undefined };
}

// firebase-tools (deploy/functions/backend.ts and prepare.ts resolveCpuAndConcurrency).
const DEFAULT_MEMORY_MB = 256;
const DEFAULT_CONCURRENCY = 80;
const GEN1_CPU: Record<number, number> = { 128: 0.0833, 256: 0.1666, 512: 0.3333, 1024: 0.5833, 2048: 1, 4096: 2, 8192: 2, 16384: 4, 32768: 8 };
const GEN2_CPU: Record<number, number> = { 128: 1, 256: 1, 512: 1, 1024: 1, 2048: 1, 4096: 2, 8192: 2, 16384: 4, 32768: 8 };
/** Cloud Run's default maximum of instances per service, when a function declares none. */
export const PLATFORM_MAX_INSTANCES = 100;
/** Cloud Tasks' queue defaults, when a task function declares no rate limits. */
export const CLOUD_TASKS_DEFAULTS = { maxConcurrentDispatches: 1000, maxDispatchesPerSecond: 500 };

/** A declared value; unset, null and firebase-functions' RESET_VALUE (an object) all mean the platform's default. */
const present = <T>(value: T | null | undefined): T | undefined => (typeof value === "number" || typeof value === "string" ? value : undefined);

function triggerOf(endpoint: Endpoint): TriggerKind {
  if (endpoint.callableTrigger) return "callable";
  if (endpoint.httpsTrigger) return "https";
  if (endpoint.taskQueueTrigger) return "task";
  if (endpoint.scheduleTrigger) return "schedule";
  if (endpoint.blockingTrigger) return "blocking";
  return "event";
}

/** One function's options as deployed: memory, then CPU from memory, then concurrency from CPU. */
export function resolveDeployedOptions(name: string, entryPoint: string, endpoint: Endpoint): DeployedOptions {
  const memoryMiB = present(endpoint.availableMemoryMb) ?? DEFAULT_MEMORY_MB;
  const gen1 = endpoint.platform === "gcfv1";
  const declaredCpu = present(endpoint.cpu);
  const cpu = gen1 || declaredCpu === "gcf_gen1" ? GEN1_CPU[memoryMiB] : (declaredCpu ?? GEN2_CPU[memoryMiB]);
  // 1st gen serves one request per instance; 2nd gen needs a whole CPU to serve more than one.
  const concurrency = gen1 ? 1 : (present(endpoint.concurrency) ?? (cpu >= 1 ? DEFAULT_CONCURRENCY : 1));
  const limits = endpoint.taskQueueTrigger?.rateLimits;
  return {
    name,
    entryPoint,
    trigger: triggerOf(endpoint),
    memoryMiB,
    cpu,
    concurrency,
    maxInstances: present(endpoint.maxInstances),
    minInstances: present(endpoint.minInstances) ?? 0,
    timeoutSeconds: present(endpoint.timeoutSeconds) ?? 60,
    ...(endpoint.taskQueueTrigger
      ? { queue: { maxConcurrentDispatches: present(limits?.maxConcurrentDispatches), maxDispatchesPerSecond: present(limits?.maxDispatchesPerSecond) } }
      : {}),
  };
}

/** Every function an entry module exports (`{ group: { name: fn } }`), resolved. */
export function deployedFunctions(entry: Record<string, Record<string, { __endpoint?: Endpoint }>>): DeployedOptions[] {
  const all: DeployedOptions[] = [];
  for (const [group, functions] of Object.entries(entry)) {
    for (const [name, fn] of Object.entries(functions)) {
      if (fn?.__endpoint) all.push(resolveDeployedOptions(`${group}-${name}`, `${group}.${name}`, fn.__endpoint));
    }
  }
  return all.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The README's bulkhead table: every function's concurrency, instances, memory and CPU, and each
 * queue's dispatch limits (Cloud Tasks' defaults named as such).
 */
export function bulkheadTable(functions: DeployedOptions[]): string {
  const rows = functions.map((f) => {
    const queue = f.queue
      ? `${f.queue.maxConcurrentDispatches ?? `default (${CLOUD_TASKS_DEFAULTS.maxConcurrentDispatches})`} / ${f.queue.maxDispatchesPerSecond ?? `default (${CLOUD_TASKS_DEFAULTS.maxDispatchesPerSecond})`}`
      : "";
    const instances = `${f.minInstances}–${f.maxInstances ?? `default (${PLATFORM_MAX_INSTANCES})`}`;
    return `| \`${f.name}\` | ${f.trigger} | ${f.concurrency} | ${instances} | ${f.memoryMiB} MiB | ${f.cpu} | ${f.timeoutSeconds} s | ${queue} |`;
  });
  return [
    "| function | trigger | concurrency | instances (min–max) | memory | CPU | timeout | queue: max concurrent / per second |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}
