/**
 * `npm run ops:status`: the on-call's one-screen view, read-only, also against a real project:
 * orders by state (count, oldest), stuck work as the detector would find it now (nothing is
 * flagged), open dead letters, outbox lag, notification claims stuck in `sending`, and the SLO
 * burn over the last hour computed from the orders themselves.
 *
 *   npm run ops:status -- [--project id] [--json]
 *
 * Exit status: 0 when no alert condition holds, 2 when one does (so cron or CI can act on it),
 * 1 when the target cannot be reached or the command line is wrong.
 */
import { parseArgs } from "node:util";
import { ORDER_STATES, TERMINAL_STATES } from "../../functions/src/orders/order-state.ts";
import { backlogQueries, findStuckWork, type Finding } from "../../functions/src/ops/stuck-work.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { db, firestoreValues } from "../../functions/src/shared/firebase.ts";
import { shapedQuery } from "../../functions/src/shared/queries.ts";
import { describeTarget, useTarget } from "../lib/target.ts";

const USAGE = "usage: npm run ops:status -- [--project <id>] [--json]";
const HOUR = 3_600_000;
/** Reads a reachable Firestore answers well within this; past it the target is down or wrong. */
const REACH_DEADLINE_MS = 5_000;
/**
 * A burn rate over 14.4 spends 2% of a 30-day error budget in an hour: the usual fast-burn page.
 * Below a handful of orders one failure is noise, so the hour needs `SLO_MIN_ORDERS` to count.
 */
const FAST_BURN = 14.4;
const SLO_MIN_ORDERS = 20;
/** Objectives: checkout reaches `placed` (not expired nor payment_failed); restaurants accept within their window. */
const SLO_TARGETS = { checkout: 0.999, acceptance: 0.95 };
/** Acceptance deadlines read per run for the acceptance SLO. */
const SLO_SAMPLE = 2_000;

let values: { project?: string; json?: boolean; help?: boolean };
try {
  values = parseArgs({ options: { project: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } } }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(1);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const target = useTarget(values.project);
const now = Date.now();
const minutesSince = (ms: number | undefined) => (ms === undefined ? null : Math.floor((now - ms) / 60_000));
const millisOf = (value: unknown) => (value as { toMillis?: () => number } | undefined)?.toMillis?.();
type Query = ReturnType<typeof shapedQuery>;
const countOf = async (query: Query) => (await query.count().get()).data().count;

async function reachable(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${REACH_DEADLINE_MS} ms`)), REACH_DEADLINE_MS)));
  try {
    await Promise.race([db().collection(COLLECTIONS.orders).limit(1).get(), deadline]);
  } catch (error) {
    console.error(`ops:status: cannot reach Firestore of ${describeTarget(target)}: ${(error as Error).message.split("\n")[0]}`);
    process.exit(1);
  } finally {
    clearTimeout(timer);
  }
}

async function ordersByState() {
  return Promise.all(
    ORDER_STATES.map(async (state) => {
      const count = await countOf(shapedQuery("ordersInState", db(), state));
      // The oldest matters only where an order can still be waiting for something.
      const oldest = count > 0 && !TERMINAL_STATES.includes(state) ? (await shapedQuery("ordersInStateOldestFirst", db(), state).limit(1).get()).docs[0] : undefined;
      return { state, count, oldestMinutes: oldest ? minutesSince(millisOf(oldest.get("updatedAt"))) : null };
    }),
  );
}

async function backlog(kind: "dead-letter" | "outbox-unpublished" | "notification-sending") {
  const [{ query, clock }] = backlogQueries(now).filter((q) => q.kind === kind);
  const count = await countOf(query.any());
  const oldest = count > 0 && query.oldest ? (await query.oldest().limit(1).get()).docs[0] : undefined;
  return { count, oldestMinutes: oldest ? minutesSince(millisOf(oldest.get(clock))) : null };
}

interface Burn {
  total: number;
  bad: number;
  target: number;
  /** How fast the error budget burns: the error rate over the rate the objective allows. */
  burnRate: number | null;
}

const burn = (total: number, bad: number, target: number): Burn => ({ total, bad, target, burnRate: total > 0 ? Number((bad / total / (1 - target)).toFixed(2)) : null });

async function sloLastHour(): Promise<{ checkout: Burn; acceptance: Burn }> {
  const { Timestamp } = firestoreValues();
  const since = Timestamp.fromMillis(now - HOUR);
  const [created, failed] = await Promise.all([
    countOf(shapedQuery("ordersCreatedSince", db(), since)),
    countOf(shapedQuery("ordersInStatesCreatedSince", db(), ["expired", "payment_failed"], since)),
  ]);
  // Orders whose acceptance deadline fell in the hour: good when accepted by it.
  const due = await shapedQuery("ordersDueForAcceptanceBetween", db(), since, Timestamp.fromMillis(now)).limit(SLO_SAMPLE).get();
  const late = due.docs.filter((order) => {
    const accepted = millisOf(order.get("acceptedAt"));
    return accepted === undefined || accepted > (millisOf(order.get("acceptBy")) ?? 0);
  }).length;
  return { checkout: burn(created, failed, SLO_TARGETS.checkout), acceptance: burn(due.size, late, SLO_TARGETS.acceptance) };
}

await reachable();
const [states, stuck, deadLetters, outbox, sending, slo] = await Promise.all([
  ordersByState(),
  findStuckWork(now),
  backlog("dead-letter"),
  backlog("outbox-unpublished"),
  backlog("notification-sending"),
  sloLastHour(),
]);

const alerts: string[] = [];
if (stuck.length > 0) alerts.push(`stuck work: ${stuck.length}`);
if (deadLetters.count > 0) alerts.push(`open dead letters: ${deadLetters.count}`);
if (outbox.count > 0) alerts.push(`outbox records unpublished past their grace: ${outbox.count}`);
if (sending.count > 0) alerts.push(`notifications stuck sending: ${sending.count}`);
for (const [name, figures] of Object.entries(slo)) {
  if (figures.total >= SLO_MIN_ORDERS && (figures.burnRate ?? 0) > FAST_BURN) alerts.push(`${name} SLO burning ${figures.burnRate}x`);
}

if (values.json) {
  console.log(JSON.stringify({ target: target.projectId, emulator: target.emulator, at: new Date(now).toISOString(), ordersByState: states, stuck, deadLetters, outbox, sending, slo, alerts }, null, 2));
} else {
  const age = (minutes: number | null) => (minutes === null ? "" : `  oldest ${minutes} min`);
  const finding = (f: Finding) => `  ${f.kind.padEnd(20)} ${f.id}  ${f.state}  ${f.ageMinutes} min${f.flagged ? "  (flagged)" : ""}`;
  console.log(`ops status of ${describeTarget(target)} at ${new Date(now).toISOString()}`);
  console.log("\norders by state");
  for (const s of states.filter((s) => s.count > 0)) console.log(`  ${s.state.padEnd(17)} ${String(s.count).padStart(6)}${age(s.oldestMinutes)}`);
  console.log(`\nstuck work: ${stuck.length}`);
  for (const f of stuck) console.log(finding(f));
  console.log(`\nopen dead letters: ${deadLetters.count}${age(deadLetters.oldestMinutes)}`);
  console.log(`outbox unpublished past grace: ${outbox.count}${age(outbox.oldestMinutes)}`);
  console.log(`notifications stuck sending: ${sending.count}${age(sending.oldestMinutes)}`);
  console.log("\nSLO burn, last hour");
  for (const [name, b] of Object.entries(slo)) console.log(`  ${name.padEnd(11)} ${b.bad}/${b.total} bad  target ${b.target * 100}%  burn ${b.burnRate ?? "-"}`);
  console.log(alerts.length ? `\nALERT: ${alerts.join("; ")}` : "\nno alert");
}
process.exit(alerts.length > 0 ? 2 : 0);
