/**
 * `npm run bench:catalog`: the catalog browse/search endpoint over the demo catalog scaled to
 * 500 restaurants, at concurrency 1 and 50, in-process (the express app against the Firestore
 * emulator) and through the Functions emulator. Uncached runs bypass the per-instance response
 * cache; cached runs repeat a warmed set of queries. Prints figures; asserts nothing.
 *
 * Starts its own emulators (Firestore, Functions) when run outside them.
 */
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createCatalogApp } from "../../functions/src/catalog/api.app.ts";
import { planCatalog, writeCatalog } from "../../functions/src/catalog/catalog-file.ts";
import { restaurantDocument } from "../../functions/src/catalog/catalog.model.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";
import { ensureInsideEmulators, say } from "./inside-emulators.ts";

const RESTAURANTS = 500;

ensureInsideEmulators("scripts/bench/catalog.ts", "firestore,functions");

/** The demo catalog, then clones of its published restaurants spread over greater Madrid. */
async function seed(): Promise<void> {
  const plan = planCatalog(JSON.parse(readFileSync(join(REPO_ROOT, "scripts", "dev", "demo-catalog.json"), "utf8")));
  await writeCatalog(plan, () => undefined);
  const templates = plan.restaurants.filter((r) => r.fields.published);
  let random = 42;
  const next = () => ((random = (random * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let writer = db().batch();
  for (let i = templates.length; i < RESTAURANTS; i += 1) {
    const template = templates[i % templates.length].fields;
    const location = { lat: 40.42 + (next() - 0.5) * 0.3, lng: -3.7 + (next() - 0.5) * 0.4 };
    writer.set(db().collection(COLLECTIONS.restaurants).doc(`bench-${i}`), restaurantDocument({ ...template, name: `${template.name} ${i}`, location }));
    if (i % 400 === 0) {
      await writer.commit();
      writer = db().batch();
    }
  }
  await writer.commit();
}

/** A mix of what the app asks: near a point, with and without filters, and by name. */
function queries(): string[] {
  const points = Array.from({ length: 8 }, (_, i) => ({ lat: 40.36 + i * 0.02, lng: -3.78 + i * 0.02 }));
  return [
    ...points.map((p) => `/v1/restaurants?lat=${p.lat.toFixed(4)}&lng=${p.lng.toFixed(4)}`),
    ...points.slice(0, 4).map((p) => `/v1/restaurants?lat=${p.lat.toFixed(4)}&lng=${p.lng.toFixed(4)}&openNow=true&cuisine=pizza`),
    "/v1/restaurants?cuisine=indian",
    "/v1/restaurants?q=night",
    "/v1/restaurants?q=trattoria%20demo%201",
    "/v1/restaurants",
  ];
}

interface Result {
  p50: number;
  p95: number;
  rps: number;
  errors: number;
}

async function load(base: string, paths: string[], total: number, concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  async function worker() {
    while (issued < total) {
      const path = paths[issued % paths.length];
      issued += 1;
      const t0 = performance.now();
      try {
        const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (response.status !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];
  return { p50: pct(0.5), p95: pct(0.95), rps: total / seconds, errors };
}

function row(label: string, concurrency: number, total: number, r: Result) {
  say(
    `${label.padEnd(34)} c=${String(concurrency).padStart(2)} n=${String(total).padStart(5)}  p50 ${r.p50.toFixed(1).padStart(7)} ms  p95 ${r.p95
      .toFixed(1)
      .padStart(7)} ms  ${r.rps.toFixed(0).padStart(6)} req/s  errors ${r.errors}`,
  );
}

async function listen(app: ReturnType<typeof createCatalogApp>): Promise<{ base: string; close: () => void }> {
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** The browse work alone: no rate limit (one address sends everything), no App Check. */
const UNGUARDED = { rateLimit: "none", appCheck: { enforced: false } } as const;

await seed();
const paths = queries();
say(`catalog browse benchmark: ${RESTAURANTS} restaurants, ${paths.length} distinct queries, node ${process.version}`);

const uncached = await listen(createCatalogApp({ ...UNGUARDED, cacheTtlMs: 0 }));
await load(uncached.base, paths, paths.length, 1); // warm up connections and indexes
for (const [c, n] of [[1, 100], [50, 500]] as const) row("in-process, uncached", c, n, await load(uncached.base, paths, n, c));
uncached.close();

const cached = await listen(createCatalogApp(UNGUARDED));
await load(cached.base, paths, paths.length, 1); // fills the response cache
for (const [c, n] of [[1, 2000], [50, 10000]] as const) row("in-process, cached", c, n, await load(cached.base, paths, n, c));
cached.close();

const functionsBase = `http://${emulatorPorts().functions}/${PROJECT_ID}/us-central1/catalog-api`;
await load(functionsBase, paths, paths.length, 1); // cold start of the function's worker
for (const [c, n] of [[1, 100], [50, 200]] as const) row("Functions emulator (cache on)", c, n, await load(functionsBase, paths, n, c));
process.exit(0);
