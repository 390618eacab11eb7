/**
 * The local fault plan and task relay, as tests drive them: which points fail, what was
 * injected, which delayed tasks wait, and "let time pass" for them.
 */
export const FAULT_PLAN = "http://127.0.0.1:12115";
export const TASK_RELAY = "http://127.0.0.1:12114";

export interface FaultRule {
  point: string;
  mode: "fail" | "lose" | "hang";
  times?: number;
  probability?: number;
  hangMs?: number;
}

export async function setFaultPlan(rules: FaultRule[], seed = 1): Promise<void> {
  await fetch(`${FAULT_PLAN}/plan`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ seed, rules }) });
}

export async function clearFaultPlan(): Promise<void> {
  await fetch(`${FAULT_PLAN}/plan`, { method: "DELETE" });
}

export async function faultReport(): Promise<{ passes: Record<string, number>; injections: Record<string, number> }> {
  return (await fetch(`${FAULT_PLAN}/report`)).json() as Promise<{ passes: Record<string, number>; injections: Record<string, number> }>;
}

export interface HeldTask {
  queue: string;
  id: string | null;
  data: Record<string, unknown> | null;
  dueAt: number;
}

/** Delayed tasks the relay holds until their time. */
export async function heldTasks(filter: { queue?: string; idPrefix?: string } = {}): Promise<HeldTask[]> {
  const { held } = (await (await fetch(`${TASK_RELAY}/tasks`)).json()) as { held: HeldTask[] };
  return held.filter((t) => (!filter.queue || t.queue === filter.queue) && (!filter.idPrefix || (t.id ?? "").startsWith(filter.idPrefix)));
}

/** Fires held tasks now, as if their time had come; answers how many. */
export async function runHeldTasks(filter: { queue?: string; idPrefix?: string }): Promise<number> {
  const response = await fetch(`${TASK_RELAY}/run`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(filter) });
  return ((await response.json()) as { fired: number }).fired;
}
