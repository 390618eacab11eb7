/**
 * `npm run bench:load`: load on the production-shaped functions host (scripts/load/functions-host.ts:
 * the built functions on the Functions Framework, each instance held to its declared concurrency)
 * against the Auth, Firestore, Pub/Sub and Tasks emulators, with autocannon. Every case runs beside
 * the bare hello-world target of the same host at the same connections, in the same run: its req/s
 * is printed as a ratio of that ceiling.
 *
 *   catalog-api near-me, cached (a warmed set of cells) and uncached (every request a new cell)
 *   checkout-placeOrder: 100 customers on 10 units, and 100 on an unlimited item
 *   stress: STRESS_REQUESTS at 1,000 connections, then at 10,000 if the file limit allows
 *   bulkheads: checkout p95 while a 10,000-person broadcast runs (its own host) vs idle
 *
 * Flags: --quick (smaller sizes), --requests N (stress requests), --connections N (stress
 * connections), --wide N (the wide stress case's connections; 0 skips it), --audience N (broadcast
 * persons), --instances N (instances per target). Errors and timeouts are counted and printed,
 * never thrown. Starts its own emulators, FCM double and task relay when run from a shell.
 */
import type { Request } from "autocannon";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { planCatalog, writeCatalog } from "../../functions/src/catalog/catalog-file.ts";
import { deliveryCellOf, restaurantDocument } from "../../functions/src/catalog/catalog.model.ts";
import { CALLABLES } from "../../functions/src/contract/callables.ts";
import { DEFAULT_PREFERENCES } from "../../functions/src/contract/notifications.ts";
import { deviceId } from "../../functions/src/notifications/devices.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { oneUnitCashOrder, restaurantWithStock, stockLeft } from "../../functions/test/support/checkout.ts";
import { randomPhone } from "../../functions/test/support/emulators.ts";
import { emulatorPorts, REPO_ROOT } from "../dev/emulator-env.ts";
import { FCM_DOUBLE_URL, startFcmDouble, startTaskRelay, startTasksEmulator, TASK_RELAY_URL } from "../dev/local-services.ts";
import { callableRequest, callCallable, HELLO_WORLD_TARGET, idTokenOf, startFunctionsHost, type FunctionsHost } from "../load/host.ts";
import { ensureInsideEmulators, say, startDoubleIfAbsent } from "./inside-emulators.ts";
import { measure, ms, statusText, type Measured } from "./measure.ts";

const argv = process.argv.slice(2);
const QUICK = argv.includes("--quick");
function flag(name: string, full: number, quick: number): number {
  const at = argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(argv[at + 1]) : QUICK ? quick : full;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`--${name} takes a whole number (got ${argv[at + 1]})`);
    process.exit(2);
  }
  return value;
}
const STRESS_REQUESTS = flag("requests", 10_000, 2_000);
const STRESS_CONNECTIONS = flag("connections", 1_000, 200);
const WIDE_CONNECTIONS = flag("wide", 10_000, 0);
const AUDIENCE = flag("audience", 10_000, 2_000);
// Cloud Run would add instances under this load; two use both cores of the machine this was tuned on.
const INSTANCES = flag("instances", 2, 2);
const CUSTOMERS = 100;
const UNITS = 10;
const UNCACHED_CELLS = QUICK ? 500 : 2_000;
const BASE_CONNECTIONS = 100;

await startDoubleIfAbsent(`${FCM_DOUBLE_URL}/_double/summary`, startFcmDouble);
await startDoubleIfAbsent(`${TASK_RELAY_URL}/tasks`, startTaskRelay);
// firebase-tools starts the Tasks emulator only with the Functions emulator: this run starts it alone.
await startDoubleIfAbsent(`http://${emulatorPorts().tasks}/queueStats`, startTasksEmulator);
ensureInsideEmulators(["scripts/bench/load.ts", ...argv].join(" "), "auth,firestore,pubsub");

// ---- measuring ----------------------------------------------------------------------------

function line(label: string, m: Measured, ceiling?: Measured): void {
  say(
    `${label.padEnd(44)} n=${String(m.requests).padStart(5)}  p50 ${ms(m.p50).padStart(7)}  p95 ${ms(m.p95).padStart(7)}  p99 ${ms(m.p99).padStart(7)}  ` +
      `${m.rps.toFixed(0).padStart(6)} req/s${ceiling ? `  ${(m.rps / ceiling.rps).toFixed(2)}x hello` : ""}  errors ${m.errors}  timeouts ${m.timeouts}  [${statusText(m.statuses)}]`,
  );
}

interface Row {
  figure: string;
  target: string;
  measured: string;
  ratio: string;
}
const table: Row[] = [];
const ratioOf = (m: Measured, ceiling: Measured | undefined) => (ceiling ? `${(m.rps / ceiling.rps).toFixed(2)}x` : "—");

// ---- data ---------------------------------------------------------------------------------

/** The demo catalog plus 500 restaurants over greater Madrid: what cached near-me requests read. */
async function seedMadrid(): Promise<string[]> {
  const plan = planCatalog(JSON.parse(readFileSync(join(REPO_ROOT, "scripts", "dev", "demo-catalog.json"), "utf8")));
  await writeCatalog(plan, () => undefined);
  const templates = plan.restaurants.filter((r) => r.fields.published);
  // Spread as bench:catalog spreads them, so the two benchmarks' figures compare.
  let random = 42;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  let writer = db().batch();
  for (let i = 0; i < 500; i += 1) {
    const template = templates[i % templates.length].fields;
    const location = { lat: 40.42 + (next() - 0.5) * 0.3, lng: -3.7 + (next() - 0.5) * 0.4 };
    writer.set(db().collection(COLLECTIONS.restaurants).doc(`load-madrid-${i}`), restaurantDocument({ ...template, name: `${template.name} ${i}`, location }));
    if (i % 400 === 399) {
      await writer.commit();
      writer = db().batch();
    }
  }
  await writer.commit();
  return Array.from({ length: 16 }, (_, i) => `/v1/restaurants?lat=${(40.38 + (i % 4) * 0.02).toFixed(4)}&lng=${(-3.76 + Math.floor(i / 4) * 0.02).toFixed(4)}`);
}

/** One restaurant in each of `count` distinct delivery cells over Spain: every near-me request a new cell. */
async function seedCells(count: number): Promise<string[]> {
  const template = { name: "Cell Kitchen", cuisines: ["test"], address: "Somewhere", deliveryRadiusKm: 3, deliveryFee: 100, currency: "EUR", published: true, openingHours: { timeZone: "Europe/Madrid", weekly: {} } };
  const seen = new Set<string>();
  const points: { lat: number; lng: number }[] = [];
  for (let i = 0; points.length < count; i += 1) {
    const point = { lat: 36.5 + Math.floor(i / 150) * 0.045, lng: -8.5 + (i % 150) * 0.07 };
    const cell = deliveryCellOf(point);
    if (seen.has(cell)) continue;
    seen.add(cell);
    points.push(point);
  }
  let writer = db().batch();
  for (const [i, location] of points.entries()) {
    writer.set(db().collection(COLLECTIONS.restaurants).doc(`load-cell-${i}`), restaurantDocument({ ...template, location }));
    if (i % 400 === 399) {
      await writer.commit();
      writer = db().batch();
    }
  }
  await writer.commit();
  return points.map((p) => `/v1/restaurants?lat=${p.lat.toFixed(4)}&lng=${p.lng.toFixed(4)}`);
}

/** Signed-in customers with a verified phone (cash orders need one), ten sign-ups at a time. */
async function customers(count: number, label: string): Promise<string[]> {
  const tokens: string[] = [];
  for (let batch = 0; batch < count; batch += 10) {
    tokens.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(10, count - batch) }, async () => {
          const email = `load-${label}-${randomUUID()}@example.test`;
          await auth().createUser({ email, password: "load-password", phoneNumber: randomPhone() });
          return idTokenOf(email, "load-password");
        }),
      )),
    );
  }
  return tokens;
}

const orderOf = oneUnitCashOrder;

interface CheckoutOutcomes {
  sold: number;
  internal: number;
  refusals: Record<string, number>;
}

/** One callable request per customer token, each answer sorted into sold / refused (code, reason) / internal. */
function checkoutRequests(url: string, tokens: string[], restaurantId: string, itemId: string, outcomes: CheckoutOutcomes): Request[] {
  let next = 0;
  return [
    {
      method: "POST",
      setupRequest: (request) => {
        const { body, headers } = callableRequest(orderOf(restaurantId, itemId), tokens[next++ % tokens.length]);
        return { ...request, path: new URL(url).pathname, body, headers };
      },
      onResponse: (_status, body) => {
        let answer: { result?: { orderId?: string }; error?: { status?: string; details?: { reason?: string } } } = {};
        try {
          answer = JSON.parse(body) as typeof answer;
        } catch {
          // Not a callable answer (the router's or a broken instance's): counted below as unreadable.
        }
        if (answer.result?.orderId) outcomes.sold += 1;
        else if (answer.error?.status === "INTERNAL") outcomes.internal += 1;
        else {
          const key = answer.error ? `${answer.error.status} ${answer.error.details?.reason ?? "(no reason)"}` : "unreadable answer";
          outcomes.refusals[key] = (outcomes.refusals[key] ?? 0) + 1;
        }
      },
    },
  ];
}

async function checkoutRun(host: FunctionsHost, label: string, tokens: string[], item: { restaurantId: string; itemId: string }, connections: number) {
  const outcomes: CheckoutOutcomes = { sold: 0, internal: 0, refusals: {} };
  const url = host.functionUrl("checkout-placeOrder");
  const m = await measure(url, connections, tokens.length, checkoutRequests(url, tokens, item.restaurantId, item.itemId, outcomes));
  return { m, outcomes, label };
}

const refusalText = (refusals: Record<string, number>) =>
  Object.entries(refusals)
    .map(([key, count]) => `${key} ×${count}`)
    .join(", ") || "none";

/** A broadcast audience: `count` customers of one restaurant, one device each, promotions by push. */
async function seedAudience(count: number): Promise<string> {
  const run = randomUUID().slice(0, 8);
  const restaurantId = `load-audience-${run}`;
  await db().collection(COLLECTIONS.restaurants).doc(restaurantId).set({ name: "Load Pizzeria", published: true });
  const writer = db().bulkWriter();
  const preferences = { ...DEFAULT_PREFERENCES, channels: { ...DEFAULT_PREFERENCES.channels, promotions: { push: true, sms: false } } };
  for (let i = 0; i < count; i += 1) {
    const uid = `${run}-${String(i).padStart(6, "0")}`;
    const token = `load-${uid}:APA91b${randomUUID().replace(/-/g, "")}`;
    void writer.set(db().collection(COLLECTIONS.users).doc(uid), { uid, role: "customer", locale: "en", timeZone: "UTC", phone: null, notificationPreferences: preferences });
    void writer.set(db().collection(COLLECTIONS.restaurantAudiences).doc(restaurantId).collection(COLLECTIONS.customers).doc(uid), { orders: 1 });
    void writer.set(db().collection(COLLECTIONS.devices).doc(deviceId(token)), { uid, token, platform: "android", appVersion: "3.2.0" });
    void writer.set(db().collection(COLLECTIONS.pushTargets).doc(uid), { devices: { [deviceId(token)]: token } });
  }
  await writer.close();
  return restaurantId;
}

async function adminToken(): Promise<string> {
  const email = `load-admin-${randomUUID()}@example.test`;
  const { uid } = await auth().createUser({ email, password: "load-password" });
  await auth().setCustomUserClaims(uid, { role: "admin" });
  return idTokenOf(email, "load-password");
}

// ---- the run --------------------------------------------------------------------------------

// Traces sampled as deployed (functions/.env), not at the emulator's 100%: the local span file is
// written synchronously, a cost no deployed instance pays.
process.env.TRACE_SAMPLE_RATIO = /^TRACE_SAMPLE_RATIO=(.*)$/m.exec(readFileSync(join(REPO_ROOT, "functions", ".env"), "utf8"))?.[1] ?? "0.1";
say(
  `bench:load${QUICK ? " --quick" : ""}: functions host (Functions Framework, ${INSTANCES} instance(s) per target), autocannon, ` +
    `traces sampled at ${process.env.TRACE_SAMPLE_RATIO} as deployed, node ${process.version}, ${availableParallelism()} CPUs`,
);
const seedStarted = Date.now();
const cachedPaths = await seedMadrid();
const uncachedPaths = await seedCells(UNCACHED_CELLS);
const limited = await restaurantWithStock(UNITS);
const unlimited = await restaurantWithStock(0);
await db().doc(`restaurants/${unlimited.restaurantId}/items/${unlimited.itemId}`).update({ tracksStock: false });
const raceCustomers = await customers(CUSTOMERS, "race");
const unlimitedCustomers = await customers(CUSTOMERS, "open");
say(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s: 500 + ${UNCACHED_CELLS} restaurants, ${2 * CUSTOMERS} customers`);

/** Runs one part of the benchmark; a part that fails (a busy machine, a host that died) is reported and the rest runs. */
async function section(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    say(`  ${name} did not complete: ${reason}`);
    table.push({ figure: name, target: "", measured: `did not complete: ${reason}`, ratio: "" });
  }
}

let host: FunctionsHost;
try {
  host = await startFunctionsHost([HELLO_WORLD_TARGET, "catalog-api", "checkout-placeOrder"], { instances: INSTANCES });
} catch (error) {
  say(`the functions host did not start: ${error instanceof Error ? error.message : String(error)} (see .cache/functions-host/)`);
  process.exit(1);
}
say(`host: ${host.targets.map((t) => `${t.target} (${t.entryPoint}, concurrency ${t.concurrency} × ${t.instances})`).join(", ")}`);
const hello = host.functionUrl(HELLO_WORLD_TARGET);
const catalog = host.functionUrl("catalog-api");
/** GETs of `paths` in turn across all connections (each connection alone would start again at the first). */
function rotating(paths: string[]): Request[] {
  const prefix = new URL(catalog).pathname;
  let next = 0;
  return [{ method: "GET", setupRequest: (request) => ({ ...request, path: `${prefix}${paths[next++ % paths.length]}` }) }];
}
const cachedRequests = () => rotating(cachedPaths);
const uncachedRequests = () => rotating(uncachedPaths);

// Cold starts and the cached cells, before anything is timed.
await measure(hello, 10, 200);
await measure(catalog, 1, cachedPaths.length, cachedRequests());
await callCallable(host.functionUrl("checkout-placeOrder"), {}).catch(() => undefined);

let hello100: Measured | undefined;
await section(`catalog at ${BASE_CONNECTIONS} connections`, async () => {
  say("");
  say(`— at ${BASE_CONNECTIONS} connections`);
  const ceiling = await measure(hello, BASE_CONNECTIONS, QUICK ? 2_000 : 5_000);
  hello100 = ceiling;
  line("hello-world (ceiling)", ceiling);
  const cached = await measure(catalog, BASE_CONNECTIONS, QUICK ? 2_000 : 5_000, cachedRequests());
  line("catalog-api near-me, cached", cached, ceiling);
  const uncached = await measure(catalog, BASE_CONNECTIONS, uncachedPaths.length, uncachedRequests());
  line(`catalog-api near-me, uncached (${UNCACHED_CELLS} new cells)`, uncached, ceiling);
  table.push({ figure: `catalog near-me, cached, ${BASE_CONNECTIONS} connections: p99 / req/s`, target: "—", measured: `${ms(cached.p99)} / ${cached.rps.toFixed(0)}`, ratio: ratioOf(cached, ceiling) });
  table.push({ figure: `catalog near-me, uncached, ${BASE_CONNECTIONS} connections: p99 / req/s`, target: "—", measured: `${ms(uncached.p99)} / ${uncached.rps.toFixed(0)}`, ratio: ratioOf(uncached, ceiling) });
});

await section("checkout", async () => {
  say("");
  say(`— checkout-placeOrder, ${CUSTOMERS} customers at once (one callable each, ID tokens from the Auth emulator)`);
  const race = await checkoutRun(host, "100 on 10 units", raceCustomers, limited, CUSTOMERS);
  const unsold = await stockLeft(limited.restaurantId, limited.itemId);
  const oversold = Math.max(0, race.outcomes.sold - UNITS) + Math.max(0, -unsold);
  line(`checkout, ${CUSTOMERS} customers on ${UNITS} units`, race.m, hello100);
  say(`  sold ${race.outcomes.sold}  oversold ${oversold}  unsold ${Math.max(0, unsold)}  internal ${race.outcomes.internal}  timeouts ${race.m.timeouts}`);
  say(`  refusals: ${refusalText(race.outcomes.refusals)}`);
  table.push({
    figure: `checkout ${CUSTOMERS} on ${UNITS} units: sold / oversold / unsold / internal / timeouts`,
    target: `${UNITS} / 0 / 0 / 0 / 0`,
    measured: `${race.outcomes.sold} / ${oversold} / ${Math.max(0, unsold)} / ${race.outcomes.internal} / ${race.m.timeouts}`,
    ratio: "",
  });
  table.push({ figure: `checkout ${CUSTOMERS} on ${UNITS} units: p99`, target: "< 1 s", measured: ms(race.m.p99), ratio: ratioOf(race.m, hello100) });
  const open = await checkoutRun(host, "unlimited", unlimitedCustomers, unlimited, CUSTOMERS);
  line(`checkout, ${CUSTOMERS} customers, unlimited item`, open.m, hello100);
  say(`  sold ${open.outcomes.sold}  internal ${open.outcomes.internal}  timeouts ${open.m.timeouts}  refusals: ${refusalText(open.outcomes.refusals)}`);
  table.push({ figure: `checkout ${CUSTOMERS} on an unlimited item: sold, p99`, target: `${CUSTOMERS}, < 1 s`, measured: `${open.outcomes.sold}, ${ms(open.m.p99)}`, ratio: ratioOf(open.m, hello100) });
});

await section("stress", async () => {
  say("");
  say(`— stress: ${STRESS_REQUESTS} requests at ${STRESS_CONNECTIONS} connections`);
  const helloStress = await measure(hello, STRESS_CONNECTIONS, STRESS_REQUESTS);
  line("hello-world (ceiling)", helloStress);
  const cachedStress = await measure(catalog, STRESS_CONNECTIONS, STRESS_REQUESTS, cachedRequests());
  line("catalog-api near-me, cached", cachedStress, helloStress);
  table.push({ figure: `hello-world, ${STRESS_REQUESTS} requests at ${STRESS_CONNECTIONS} connections: req/s, p99 (errors)`, target: "(the ceiling)", measured: `${helloStress.rps.toFixed(0)}, ${ms(helloStress.p99)} (${helloStress.errors})`, ratio: "1.00x" });
  table.push({
    figure: `catalog near-me, cached, ${STRESS_REQUESTS} requests at ${STRESS_CONNECTIONS} connections: p50 / p95 / p99`,
    target: "p99 < 200 ms",
    measured: `${ms(cachedStress.p50)} / ${ms(cachedStress.p95)} / ${ms(cachedStress.p99)}`,
    ratio: "",
  });
  table.push({ figure: "… req/s (errors)", target: "> 1000, ≥ 0.5x hello", measured: `${cachedStress.rps.toFixed(0)} (${cachedStress.errors})`, ratio: ratioOf(cachedStress, helloStress) });
});

if (WIDE_CONNECTIONS > 0) {
  await section(`${WIDE_CONNECTIONS} connections`, async () => {
    say("");
    // Each connection is a descriptor here and one in the host (which raises its own soft limit to the hard one).
    const limit = Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim()) || 0;
    if (limit && limit < WIDE_CONNECTIONS + 1_000) {
      say(`— wide: skipped, ${WIDE_CONNECTIONS} connections need more open files than the limit here (${limit})`);
      table.push({ figure: `${WIDE_CONNECTIONS} connections`, target: "if the machine allows", measured: `not run: open files limit ${limit}`, ratio: "" });
      return;
    }
    const amount = Math.max(STRESS_REQUESTS, WIDE_CONNECTIONS);
    say(`— wide: ${amount} requests at ${WIDE_CONNECTIONS} connections (open files limit ${limit || "unknown"})`);
    const helloWide = await measure(hello, WIDE_CONNECTIONS, amount);
    line("hello-world (ceiling)", helloWide);
    const cachedWide = await measure(catalog, WIDE_CONNECTIONS, amount, cachedRequests());
    line("catalog-api near-me, cached", cachedWide, helloWide);
    const stats = await host.stats();
    say(`  router: catalog-api refused ${stats["catalog-api"]?.refused ?? 0} (429, no free slot within 10 s), longest wait ${stats["catalog-api"]?.longestWaitMs ?? 0} ms`);
    table.push({
      figure: `catalog near-me, cached, ${amount} requests at ${WIDE_CONNECTIONS} connections: p99, req/s (errors)`,
      target: "if the machine allows",
      measured: `${ms(cachedWide.p99)}, ${cachedWide.rps.toFixed(0)} (${cachedWide.errors})`,
      ratio: ratioOf(cachedWide, helloWide),
    });
  });
}

await section("bulkheads", async () => {
  say("");
  say(`— bulkheads: checkout p95 idle vs during a ${AUDIENCE}-person broadcast (its own host)`);
  const audience = await seedAudience(AUDIENCE);
  const probeCustomers = unlimitedCustomers; // each has one open cash order of the two allowed
  const duringCustomers = raceCustomers; // at most one open order each
  const broadcastHost = await startFunctionsHost(["notifications-startBroadcast", "notifications-broadcastBatch"], { instances: INSTANCES });
  try {
    const PROBE_CONNECTIONS = 10;
    const idle = await checkoutRun(host, "idle", probeCustomers, unlimited, PROBE_CONNECTIONS);
    line(`checkout idle (${CUSTOMERS} orders, ${PROBE_CONNECTIONS} in flight)`, idle.m);
    const broadcastId = `load-${randomUUID().slice(0, 8)}`;
    const message = { en: { title: "Two for one tonight", body: "Every pizza, until 23:00." }, es: { title: "Dos por uno esta noche", body: "Todas las pizzas, hasta las 23:00." } };
    const broadcastStarted = Date.now();
    const started = await callCallable(broadcastHost.functionUrl(CALLABLES.startBroadcast), { broadcastId, segment: { kind: "restaurant-customers", restaurantId: audience }, message }, await adminToken());
    if (started.status !== 200) throw new Error(`the broadcast did not start: ${started.status} ${JSON.stringify(started.error)}`);
    // Measure once the first batch is through, so the probe meets the broadcast under way.
    const batchesServed = async () => (await broadcastHost.stats())["notifications-broadcastBatch"]?.served ?? 0;
    for (const until = Date.now() + 30_000; (await batchesServed()) === 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 250));
    const batchesBefore = await batchesServed();
    const during = await checkoutRun(host, "during", duringCustomers, unlimited, PROBE_CONNECTIONS);
    const batchesDuring = (await batchesServed()) - batchesBefore;
    line(`checkout during the broadcast`, during.m);
    say(`  broadcast batches served while checkout was measured: ${batchesDuring}; refusals idle: ${refusalText(idle.outcomes.refusals)}; during: ${refusalText(during.outcomes.refusals)}`);
    let status = "running";
    while (status === "running" && Date.now() - broadcastStarted < (QUICK ? 120_000 : 600_000)) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      status = (await db().collection(COLLECTIONS.broadcasts).doc(broadcastId).get()).get("status") ?? "missing";
    }
    const fcm = (await (await fetch(`${FCM_DOUBLE_URL}/_double/summary?broadcastId=${broadcastId}`)).json()) as { messages: number; duplicates: number };
    say(`  broadcast ${status} after ${((Date.now() - broadcastStarted) / 1000).toFixed(1)} s: ${fcm.messages} of ${AUDIENCE} messages at the FCM double, duplicates ${fcm.duplicates}`);
    const p95Ratio = during.m.p95 / idle.m.p95;
    say(`  checkout p95 during / idle: ${p95Ratio.toFixed(2)}x (target ≤ 1.2x)`);
    table.push({
      figure: `checkout p95 during a ${AUDIENCE}-person broadcast / idle (${batchesDuring} batches during)`,
      target: "≤ 1.2x",
      measured: `${p95Ratio.toFixed(2)}x (${ms(during.m.p95)} / ${ms(idle.m.p95)})`,
      ratio: "",
    });
  } finally {
    await broadcastHost.stop();
  }
});

const hostStats = await host.stats().catch(() => ({}) as Awaited<ReturnType<FunctionsHost["stats"]>>);
say("");
say(`router: ${Object.entries(hostStats)
  .map(([target, s]) => `${target} served ${s.served}, queued ${s.queued}, refused ${s.refused}, upstream failures ${s.upstreamFailures}`)
  .join("; ")}`);
await host.stop();

say("");
say(`| figure | target | measured | ceiling ratio |`);
say(`|---|---|---|---|`);
for (const row of table) say(`| ${row.figure} | ${row.target} | ${row.measured} | ${row.ratio} |`);
process.exit(0);
