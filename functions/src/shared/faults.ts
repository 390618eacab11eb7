/**
 * Fault injection for the local stack: named points in the code (every task enqueue, Pub/Sub
 * publish and provider call, and the gaps between a commit and its follow-up) ask the local
 * fault plan (scripts/dev/fault-plan.ts) whether to fail, hang or lose their answer this time.
 *
 * Honoured only under the Functions emulator with FAULT_PLAN_URL set; deployed, every point is
 * a no-op. Points are named `<area>.<step>` with an optional `:<detail>` (a queue, a topic).
 */
import { localSetting } from "./local-stack";
import { log } from "./log";
import { traceCall } from "./tracing";

/** What the plan answers for one pass through a point. */
type Action = { action: "pass" } | { action: "fail" | "lose" } | { action: "hang"; ms: number };

/**
 * The error an injected failure throws. Its code is the socket error the same failure has in
 * life: a connection refused before anything was sent, or reset after the call took effect.
 */
export class InjectedFault extends Error {
  readonly code: string;
  constructor(readonly point: string, readonly effectHappened: boolean) {
    super(`Injected fault at ${point}${effectHappened ? " (after its effect)" : ""}.`);
    this.name = "InjectedFault";
    this.code = effectHappened ? "ECONNRESET" : "ECONNREFUSED";
  }
}

async function ask(point: string): Promise<Action> {
  const url = localSetting("FAULT_PLAN_URL");
  if (!url) return { action: "pass" };
  try {
    const response = await fetch(`${url}/hit`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ point }) });
    return (await response.json()) as Action;
  } catch {
    return { action: "pass" }; // no plan service running: nothing to inject
  }
}

/** A gap between two steps: fails (a crash there) or hangs when the plan says so. */
export async function faultPoint(point: string): Promise<void> {
  const answer = await ask(point);
  if (answer.action === "pass") return;
  log.warn("fault.injected", { point, action: answer.action });
  if (answer.action === "hang") await new Promise((resolve) => setTimeout(resolve, answer.ms));
  else throw new InjectedFault(point, false);
}

/**
 * A call to something outside (a provider, a queue, a topic): `fail` throws before the call,
 * `lose` makes the call and throws its answer away (the effect happened, the caller cannot
 * know), `hang` delays it.
 */
export async function withFault<T>(point: string, call: () => Promise<T>): Promise<T> {
  // Each outside call is a client span named after its point; an injected fault ends it in error.
  return traceCall(point, () => callWithFault(point, call));
}

async function callWithFault<T>(point: string, call: () => Promise<T>): Promise<T> {
  const answer = await ask(point);
  if (answer.action === "pass") return call();
  log.warn("fault.injected", { point, action: answer.action });
  if (answer.action === "fail") throw new InjectedFault(point, false);
  if (answer.action === "hang") {
    await new Promise((resolve) => setTimeout(resolve, answer.ms));
    return call();
  }
  await call();
  throw new InjectedFault(point, true);
}
