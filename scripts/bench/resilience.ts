/**
 * `npm run bench:resilience`: the provider policies (functions/src/shared/provider-policies.ts)
 * under a failing provider and under a backlog. No emulators: the bench process plays one
 * function instance, calling the local Twilio double through the fault plan (both started here
 * unless they already listen).
 *
 * 1. Breaker. WORKERS callers in a loop against a provider that is healthy, then fails half its
 *    calls for OUTAGE_SECONDS (the fault plan hangs them past the timeout: the costly kind of
 *    failure), then heals. Run twice on the same seeded plan: with the breaker, and without it
 *    (same timeout, a breaker that never opens). Prints per phase the calls made, those that
 *    reached the provider, those short-circuited, failures, p50/p95, and the recovery time
 *    after healing (until the breaker has closed and calls succeed again).
 * 2. Backlog. A fast producer enqueues MESSAGES SMS at PRODUCE_PER_SECOND into a task queue (in
 *    memory, dispatching at most DISPATCHES at once and retrying what the adapter calls
 *    retryable, like Cloud Tasks) while every send is slowed by SLOW_MS; the real Twilio adapter
 *    (its policy: bulkhead, breaker, timeout) sends them. Prints the backlog over time and the
 *    count at the end: each message at the double exactly once, nothing lost.
 *
 * Figures measured on a busy machine are noisy: compare the ratios inside one run. A failure of
 * the harness itself is reported, not thrown: the bench always ends with its figures.
 */
import { randomUUID } from "node:crypto";
import { functionsParams } from "../dev/emulator-env.ts";
import { FAULT_PLAN_URL, startFaultPlan, startTwilioDouble, TWILIO_DOUBLE_URL } from "../dev/local-services.ts";
import { say, startDoubleIfAbsent } from "./inside-emulators.ts";

const WORKERS = Number(process.env.WORKERS ?? 16);
const OUTAGE_SECONDS = Number(process.env.OUTAGE_SECONDS ?? 6);
const PHASE_SECONDS = Number(process.env.PHASE_SECONDS ?? 4);
const FAILURE_RATE = Number(process.env.FAILURE_RATE ?? 0.5);
const TIMEOUT_MS = Number(process.env.TIMEOUT_MS ?? 1000);
const COOL_DOWN_MS = Number(process.env.COOL_DOWN_MS ?? 2000);
const MESSAGES = Number(process.env.MESSAGES ?? 600);
const PRODUCE_PER_SECOND = Number(process.env.PRODUCE_PER_SECOND ?? 300);
const DISPATCHES = Number(process.env.DISPATCHES ?? 50);
const SLOW_MS = Number(process.env.SLOW_MS ?? 150);
const SEED = Number(process.env.SEED ?? 7);

// The bench process stands in for a function instance under the emulator: the params it would
// read, and the local fault plan, which faults.ts honours only there.
Object.assign(process.env, { ...functionsParams(), ...process.env, FUNCTIONS_EMULATOR: "true", FAULT_PLAN_URL, TWILIO_API_URL: TWILIO_DOUBLE_URL, GCLOUD_PROJECT: process.env.GCLOUD_PROJECT ?? "demo-food-delivery" });

await startDoubleIfAbsent(`${FAULT_PLAN_URL}/report`, startFaultPlan);
await startDoubleIfAbsent(`${TWILIO_DOUBLE_URL}/_double/messages`, startTwilioDouble);

// The functions' log lines would bury the figures: count them by event instead, printed at the end.
const { log } = await import("../../functions/src/shared/log.ts");
const logged = new Map<string, number>();
const countLine = (event: string) => void logged.set(event, (logged.get(event) ?? 0) + 1);
log.info = (event) => countLine(event);
log.warn = (event) => countLine(event);
log.error = (event) => countLine(event);

const { createProviderPolicy, providerPolicy, providerPolicySpecs, ProviderRefused, ProviderTimeout } = await import("../../functions/src/shared/provider-policies.ts");
const { withFault } = await import("../../functions/src/shared/faults.ts");
const { twilioSms } = await import("../../functions/src/notifications/twilio.adapter.ts");
const { SmsError } = await import("../../functions/src/notifications/sms.ts");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number) => (Number.isFinite(value) ? `${Math.round(value)} ms` : "n/a");

async function plan(rules: unknown[]): Promise<void> {
  await fetch(`${FAULT_PLAN_URL}/plan`, { method: "DELETE" });
  if (rules.length > 0) await fetch(`${FAULT_PLAN_URL}/plan`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ seed: SEED, rules }) });
}

/** One Twilio send over plain HTTP: the bench measures the policy, not the SDK. */
async function sendToDouble(run: string, n: number): Promise<void> {
  const sid = process.env.TWILIO_ACCOUNT_SID ?? "AC00000000000000000000000000000000";
  const response = await fetch(`${TWILIO_DOUBLE_URL}/2010-04-01/Accounts/${sid}/Messages.json`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${sid}:${process.env.TWILIO_AUTH_TOKEN ?? "local_double_auth_token"}`).toString("base64")}` },
    body: new URLSearchParams({ To: `+3469${String(n % 10_000_000).padStart(7, "0")}`, Body: `bench ${run} ${n}`, MessagingServiceSid: "MG00000000000000000000000000000000" }),
  });
  if (response.status >= 300) throw Object.assign(new Error(`double answered ${response.status}`), { status: response.status });
  await response.arrayBuffer();
}

type Phase = "healthy" | "outage" | "healed";
interface Call {
  phase: Phase;
  at: number;
  ms: number;
  outcome: "ok" | "short-circuited" | "timeout" | "failed";
}

/** What the summary compares between the two breaker runs. */
const outageFigures: Record<"with" | "without", { reached: number; ok: number; p95: number; recoveryMs: number } | undefined> = { with: undefined, without: undefined };

async function breakerRun(withBreaker: boolean): Promise<void> {
  const spec = providerPolicySpecs().twilio;
  const policy = createProviderPolicy("twilio", {
    ...spec,
    timeoutMs: TIMEOUT_MS,
    breaker: { consecutiveFailures: withBreaker ? spec.breaker.consecutiveFailures : Number.MAX_SAFE_INTEGER, halfOpenAfterMs: COOL_DOWN_MS },
    bulkhead: { maxConcurrent: WORKERS, queue: WORKERS },
  });
  const run = randomUUID().slice(0, 8);
  const calls: Call[] = [];
  let phase: Phase = "healthy";
  let stop = false;
  let n = 0;
  const started = Date.now();
  let healedAt = 0;
  const worker = async () => {
    while (!stop) {
      const t0 = Date.now();
      const at = phase;
      let outcome: Call["outcome"] = "ok";
      try {
        await policy.execute(() => withFault("bench.provider", () => sendToDouble(run, n++)));
      } catch (error) {
        outcome = error instanceof ProviderRefused ? "short-circuited" : error instanceof ProviderTimeout ? "timeout" : "failed";
      }
      calls.push({ phase: at, at: t0 - started, ms: Date.now() - t0, outcome });
      // A caller told to come back later does not hammer: it waits as the app would.
      await sleep(outcome === "short-circuited" ? 50 : 10);
    }
  };
  await plan([]);
  // Warm up the connections to the double, unmeasured, so a cold start is not counted as an outage.
  await Promise.all(Array.from({ length: WORKERS * 3 }, (_, i) => sendToDouble(run, -1 - i).catch(() => undefined)));
  const workers = Array.from({ length: WORKERS }, worker);
  await sleep(PHASE_SECONDS * 1000);
  await plan([{ point: "bench.provider", mode: "hang", probability: FAILURE_RATE, hangMs: TIMEOUT_MS * 4 }]);
  phase = "outage";
  await sleep(OUTAGE_SECONDS * 1000);
  await plan([]);
  phase = "healed";
  healedAt = Date.now() - started;
  const openAtHealing = !policy.availability().available;
  await sleep(PHASE_SECONDS * 1000 + COOL_DOWN_MS);
  stop = true;
  await Promise.all(workers);

  say(`breaker ${withBreaker ? "ON " : "OFF"} (${WORKERS} callers, timeout ${TIMEOUT_MS} ms, ${Math.round(FAILURE_RATE * 100)}% of calls hang during the outage, cool-down ${COOL_DOWN_MS} ms)`);
  say(`  phase     calls  reached  short-circuited  timeouts  failed   ok      p50      p95`);
  for (const p of ["healthy", "outage", "healed"] as Phase[]) {
    const inPhase = calls.filter((c) => c.phase === p);
    const count = (o: Call["outcome"]) => inPhase.filter((c) => c.outcome === o).length;
    const reached = inPhase.length - count("short-circuited");
    const lat = inPhase.map((c) => c.ms);
    say(`  ${p.padEnd(8)} ${String(inPhase.length).padStart(6)} ${String(reached).padStart(8)} ${String(count("short-circuited")).padStart(16)} ${String(count("timeout")).padStart(9)} ${String(count("failed")).padStart(7)} ${String(count("ok")).padStart(5)} ${ms(percentile(lat, 50)).padStart(8)} ${ms(percentile(lat, 95)).padStart(8)}`);
  }
  // Recovered: from healing until the end of the last call that did not succeed (a
  // short-circuit, or a failure still in flight) among those that ended after healing.
  const lastBad = calls.filter((c) => c.outcome !== "ok" && c.at + c.ms >= healedAt).reduce((latest, c) => Math.max(latest, c.at + c.ms), healedAt);
  const firstOk = calls.filter((c) => c.outcome === "ok" && c.at >= healedAt).reduce((first, c) => Math.min(first, c.at + c.ms), Infinity);
  say(`  recovery after healing: breaker ${openAtHealing ? "open" : "closed"} at healing; first success after ${ms(firstOk - healedAt)}, every call succeeds after ${ms(lastBad - healedAt)}; breaker ${policy.availability().available ? "closed" : "still open"} at the end`);
  const outage = calls.filter((c) => c.phase === "outage");
  outageFigures[withBreaker ? "with" : "without"] = { reached: outage.filter((c) => c.outcome !== "short-circuited").length, ok: outage.filter((c) => c.outcome === "ok").length, p95: percentile(outage.map((c) => c.ms), 95), recoveryMs: lastBad - healedAt };
}

async function backlogRun(): Promise<void> {
  const run = randomUUID().slice(0, 8);
  const queue: { n: number; notBefore: number; attempts: number }[] = [];
  let inFlight = 0;
  let produced = 0;
  let sent = 0;
  let unknown = 0;
  let failed = 0;
  let retries = 0;
  const samples: string[] = [];
  const started = Date.now();
  await plan([{ point: "twilio.send", mode: "hang", hangMs: SLOW_MS }]);
  const twilio = providerPolicy("twilio");
  const before = { ...twilio.stats };

  const producer = (async () => {
    const gap = 1000 / PRODUCE_PER_SECOND;
    for (let i = 0; i < MESSAGES; i++) {
      queue.push({ n: i, notBefore: 0, attempts: 0 });
      produced += 1;
      await sleep(gap);
    }
  })();
  const sampler = setInterval(() => samples.push(`${((Date.now() - started) / 1000).toFixed(1)}s:${queue.length + inFlight}`), 500);

  const dispatch = async (task: { n: number; notBefore: number; attempts: number }) => {
    inFlight += 1;
    task.attempts += 1;
    try {
      await twilioSms.send({ to: `+3468${String(task.n).padStart(7, "0")}`, body: `backlog ${run} ${task.n}` });
      sent += 1;
    } catch (error) {
      if (error instanceof SmsError && error.retryable) {
        // As the task queue would: back off and try again (never for an unknown outcome).
        retries += 1;
        queue.push({ ...task, notBefore: Date.now() + Math.min(2000, 100 * 2 ** task.attempts) });
      } else if (error instanceof SmsError && error.kind === "unknown") unknown += 1;
      else failed += 1;
    } finally {
      inFlight -= 1;
    }
  };
  const deadline = Date.now() + 120_000;
  while ((produced < MESSAGES || queue.length > 0 || inFlight > 0) && Date.now() < deadline) {
    const now = Date.now();
    const ready = queue.findIndex((t) => t.notBefore <= now);
    if (inFlight < DISPATCHES && ready >= 0) void dispatch(queue.splice(ready, 1)[0]);
    else await sleep(5);
  }
  await producer;
  clearInterval(sampler);
  samples.push(`${((Date.now() - started) / 1000).toFixed(1)}s:${queue.length + inFlight}`);
  await plan([]);

  const seen = ((await (await fetch(`${TWILIO_DOUBLE_URL}/_double/messages`)).json()) as { body: string }[]).filter((m) => m.body.startsWith(`backlog ${run} `));
  const distinct = new Set(seen.map((m) => m.body)).size;
  const stats = { attempted: twilio.stats.attempted - before.attempted, bulkheadRejected: twilio.stats.bulkheadRejected - before.bulkheadRejected, shortCircuited: twilio.stats.shortCircuited - before.shortCircuited };
  say(`backlog: ${MESSAGES} SMS produced at ${PRODUCE_PER_SECOND}/s, each send slowed ${SLOW_MS} ms, ${DISPATCHES} dispatches at once, Twilio bulkhead ${twilio.spec.bulkhead.maxConcurrent} + queue ${twilio.spec.bulkhead.queue}`);
  say(`  backlog over time (queued + in flight): ${samples.join("  ")}`);
  say(`  drained in ${((Date.now() - started) / 1000).toFixed(1)} s; adapter answered sent ${sent}; sends attempted ${stats.attempted}, refused by the bulkhead ${stats.bulkheadRejected} (retried by the queue: ${retries}), short-circuited ${stats.shortCircuited}`);
  say(`  at the double: ${seen.length} messages, ${distinct} distinct of ${MESSAGES}; lost ${MESSAGES - distinct}, duplicates ${seen.length - distinct}, unknown ${unknown}, failed ${failed}, still queued ${queue.length + inFlight}`);
}

const started = Date.now();
say(`resilience: seed ${SEED}`);
for (const [name, step] of [
  ["breaker with", () => breakerRun(true)],
  ["breaker without", () => breakerRun(false)],
  ["breaker summary", async () => {
    const { with: on, without: off } = outageFigures;
    if (!on || !off) return say("breaker summary: a run is missing (see above)");
    say(`breaker summary, outage phase: p95 ${ms(on.p95)} with the breaker vs ${ms(off.p95)} without (${(off.p95 / Math.max(1, on.p95)).toFixed(0)}x); calls that reached the failing provider ${on.reached} vs ${off.reached}; calls that succeeded ${on.ok} vs ${off.ok}; recovery after healing ${ms(on.recoveryMs)} vs ${ms(off.recoveryMs)}`);
  }],
  ["backlog", backlogRun],
] as const) {
  try {
    await step();
  } catch (error) {
    say(`${name}: the harness failed: ${(error as Error).stack ?? String(error)}`);
  }
}
await plan([]).catch(() => undefined);
say(`log events: ${[...logged].map(([event, count]) => `${event} ${count}`).join(", ")}`);
say(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
