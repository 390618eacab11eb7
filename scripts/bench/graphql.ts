/**
 * `npm run bench:graphql`: the GraphQL API's costs.
 *
 *   1. Cold load, fresh Node processes interleaved (medians, as bench:coldstart): the bare
 *      firebase-functions SDK; the api-graphql instance (what a cold start loads); its first
 *      request (the server built, `{ __typename }` answered); and a tiny schema's first request
 *      on GraphQL Yoga and on Apollo Server 5 (the choice of server).
 *   2. Firestore reads per query (the SDK's own calls counted in-process): near me, a menu,
 *      `me` with a page of ten orders, one order.
 *   3. p50 / p95 of those queries served by api-graphql on the production-shaped functions host
 *      (Functions Framework, built code), beside the host's bare hello-world.
 *
 * Flags: --rounds N (cold-load samples per case, default 7), --requests N (per query, default
 * 300), --connections N (default 10). Errors are counted and printed, never thrown.
 */
import type { Request } from "autocannon";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { planCatalog, writeCatalog } from "../../functions/src/catalog/catalog-file.ts";
import { auth } from "../../functions/src/shared/firebase.ts";
import { createGraphqlServer } from "../../functions/src/graphql/server.ts";
import { writeDeliveredOrders } from "../../functions/test/support/order-history.ts";
import { readsDuring, type Read } from "../../functions/test/support/reads.ts";
import { REPO_ROOT } from "../dev/emulator-env.ts";
import { HELLO_WORLD_TARGET, idTokenOf, startFunctionsHost, type FunctionsHost } from "../load/host.ts";
import { ensureInsideEmulators, say } from "./inside-emulators.ts";
import { measure, ms, statusText, type Measured } from "./measure.ts";

const argv = process.argv.slice(2);
function flag(name: string, fallback: number): number {
  const at = argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) {
    console.error(`--${name} takes a whole number (got ${argv[at + 1]})`);
    process.exit(2);
  }
  return value;
}
const ROUNDS = flag("rounds", 7);
const REQUESTS = flag("requests", 300);
const CONNECTIONS = flag("connections", 10);

ensureInsideEmulators(["scripts/bench/graphql.ts", ...argv].join(" "), "auth,firestore");

// ---- 1. cold load -------------------------------------------------------------------------

const FUNCTIONS_DIR = join(REPO_ROOT, "functions");
const POST_TYPENAME = `{ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) }`;
const TINY_SDL = "type Query { hello: String }";
const COLD_CASES: Record<string, string> = {
  "bare firebase-functions/https": `require("firebase-functions/https")`,
  "GraphQL Yoga: require only": `require("firebase-functions/https"); require("graphql-yoga")`,
  "Apollo Server 5: require only": `require("firebase-functions/https"); require("@apollo/server")`,
  "api-graphql instance (module load)": `require("./lib/index.js").api.graphql`,
  "api-graphql first request": `require("./lib/index.js").api.graphql;
    const yoga = require("./lib/graphql/server.js").createGraphqlServer({ publicRateLimit: "none", appCheckEnforced: () => false });
    await (await yoga.fetch("http://localhost/", ${POST_TYPENAME})).text()`,
  "tiny schema, GraphQL Yoga: first request": `require("firebase-functions/https");
    const { createYoga, createSchema } = require("graphql-yoga");
    const yoga = createYoga({ schema: createSchema({ typeDefs: "${TINY_SDL}", resolvers: { Query: { hello: () => "hi" } } }), graphqlEndpoint: "/" });
    await (await yoga.fetch("http://localhost/", ${POST_TYPENAME})).text()`,
  "tiny schema, Apollo Server 5: first request": `require("firebase-functions/https");
    const { ApolloServer, HeaderMap } = require("@apollo/server");
    const server = new ApolloServer({ typeDefs: "${TINY_SDL}", resolvers: { Query: { hello: () => "hi" } } });
    await server.start();
    await server.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: "POST", headers: new HeaderMap([["content-type", "application/json"]]), search: "", body: { query: "{ __typename }" } }, context: async () => ({}) })`,
};

/** Milliseconds from the process's first line to the end of `body`, in a fresh process; NaN when it failed. */
function sample(body: string): number {
  const script = `(async () => { const t0 = process.hrtime.bigint(); ${body}; console.log(Number(process.hrtime.bigint() - t0) / 1e6); process.exit(0); })().catch((e) => { console.error(e); process.exit(1); })`;
  const run = spawnSync(process.execPath, ["-e", script], { cwd: FUNCTIONS_DIR, encoding: "utf8", env: { ...process.env, NODE_ENV: "production" } });
  if (run.status !== 0) {
    say(`  sample failed: ${(run.stderr ?? "").split("\n").slice(0, 3).join(" ")}`);
    return NaN;
  }
  return Number(run.stdout.trim().split("\n").pop());
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(COLD_CASES).map((k) => [k, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [label, body] of Object.entries(COLD_CASES)) samples[label].push(sample(body));
}
const bare = median(samples["bare firebase-functions/https"]);
say(`1. cold load, median of ${ROUNDS} fresh processes per case (node ${process.version}; a loaded machine makes these noisy: compare ratios)`);
for (const [label, values] of Object.entries(samples)) {
  const value = median(values);
  say(`   ${label.padEnd(46)} ${ms(value).padStart(8)} ${(value / bare).toFixed(2).padStart(6)}x the bare SDK`);
}

// ---- 2. reads per query -------------------------------------------------------------------

const plan = planCatalog(JSON.parse(readFileSync(join(REPO_ROOT, "scripts", "dev", "demo-catalog.json"), "utf8")));
await writeCatalog(plan, () => undefined);
// Signed-in requests count against RATE_LIMIT_PER_MINUTE per user: enough customers that none
// reaches it, each with twelve orders of three restaurants.
const CUSTOMERS = Math.ceil(REQUESTS / 20);
const customers: { token: string; orderId: string }[] = [];
for (let c = 0; c < CUSTOMERS; c += 1) {
  const email = `bench-graphql-${randomUUID()}@example.test`;
  const user = await auth().createUser({ email, password: "bench-password" });
  const orderIds = await writeDeliveredOrders(user.uid, 12);
  customers.push({ token: await idTokenOf(email, "bench-password"), orderId: orderIds[0] });
}

const ORDER = "id status restaurant { id name } lines { name quantity lineTotal } total { amount currency } history { at to }";
interface BenchQuery {
  label: string;
  query: string;
  variables?: (customer: (typeof customers)[number]) => Record<string, unknown>;
  signedIn?: boolean;
}
const QUERIES: BenchQuery[] = [
  { label: "restaurantsNear (public)", query: "query($lat: Float!, $lng: Float!) { restaurantsNear(lat: $lat, lng: $lng, first: 10) { edges { node { id name distanceKm openNow } } pageInfo { endCursor } } }", variables: () => ({ lat: 40.4168, lng: -3.7038 }) },
  { label: "menu (public)", query: "query($id: ID!) { menu(restaurantId: $id) { restaurant { id name } categories { id name items { id name price { amount } modifierGroups { id options { id name } } } } } }", variables: () => ({ id: "demo-restaurant-1" }) },
  { label: "me: profile, devices, 10 orders", query: `{ me { profile { uid email } devices { deviceId } orders(first: 10) { edges { node { ${ORDER} } } } } }`, signedIn: true },
  { label: "order(id)", query: `query($id: ID!) { order(id: $id) { ${ORDER} } }`, variables: (customer) => ({ id: customer.orderId }), signedIn: true },
];
/** The request of `q` as `customer` sends it (public queries send no token). */
const requestOf = (q: BenchQuery, customer = customers[0]) => ({
  method: "POST" as const,
  headers: { "content-type": "application/json", ...(q.signedIn ? { authorization: `Bearer ${customer.token}` } : {}) },
  body: JSON.stringify({ query: q.query, variables: q.variables?.(customer) ?? {} }),
});
/** Answers that carried GraphQL errors (an HTTP 200 to autocannon), per query label. */
const graphqlErrors: Record<string, number> = {};
let turn = 0;
/** Each request as the next customer in turn (connections spread over customers), its answer checked for errors. */
const requestsOf = (q: BenchQuery): Request[] => [
  {
    ...requestOf(q),
    setupRequest: (request) => ({ ...request, ...requestOf(q, customers[turn++ % customers.length]) }),
    onResponse: (_status, body) => {
      if (body.includes('"errors"')) graphqlErrors[q.label] = (graphqlErrors[q.label] ?? 0) + 1;
    },
  },
];

const inProcess = createGraphqlServer({ publicRateLimit: "none", appCheckEnforced: () => false, cacheTtlMs: 0 });
const local = createServer((req, res) => void inProcess(req as never, res as never));
await new Promise<void>((resolve) => local.listen(0, "127.0.0.1", resolve));
const localUrl = `http://127.0.0.1:${(local.address() as AddressInfo).port}/`;
const describeReads = (reads: Read[]) => {
  const of = (kind: Read["kind"]) => reads.filter((r) => r.kind === kind);
  const docs = reads.reduce((sum, r) => sum + r.documents, 0);
  return `${of("query").length} queries, ${of("document").length} gets, ${of("getAll").length} getAll: ${docs} documents`;
};
say("2. Firestore reads per query: the queries, document gets and getAll calls one request made (the rate limit's transaction not included)");
for (const q of QUERIES) {
  try {
    await fetch(localUrl, requestOf(q)); // the first request creates the caller's profile
    let errors = "";
    const reads = await readsDuring(async () => {
      const answer = (await (await fetch(localUrl, requestOf(q))).json()) as { errors?: unknown[] };
      if (answer.errors) errors = JSON.stringify(answer.errors).slice(0, 200);
    });
    say(`   ${q.label.padEnd(34)} ${describeReads(reads)}${errors ? `  ERRORS ${errors}` : ""}`);
  } catch (error) {
    say(`   ${q.label.padEnd(34)} failed: ${String(error)}`);
  }
}
local.close();

// ---- 3. latency on the functions host --------------------------------------------------------

say(`3. latency on the functions host (1 instance each), ${REQUESTS} requests at ${CONNECTIONS} connections per query`);
let host: FunctionsHost | undefined;
try {
  host = await startFunctionsHost([HELLO_WORLD_TARGET, "api-graphql"]);
  const line = (label: string, m: Measured, ceiling?: Measured) =>
    say(`   ${label.padEnd(34)} p50 ${ms(m.p50).padStart(7)}  p95 ${ms(m.p95).padStart(7)}  ${m.rps.toFixed(0).padStart(5)} req/s${ceiling ? ` (${(m.rps / ceiling.rps).toFixed(2)}x hello)` : ""}  errors ${m.errors}  timeouts ${m.timeouts}  [${statusText(m.statuses)}]`);
  const hello = host.functionUrl(HELLO_WORLD_TARGET);
  const api = host.functionUrl("api-graphql");
  await measure(hello, 2, 50);
  for (const q of QUERIES) {
    // Warm-up (the server built, caches filled), and a check that the query answers without errors:
    // a GraphQL error is an HTTP 200, which autocannon would count as a success.
    const answer = (await (await fetch(api, requestOf(q))).json()) as { errors?: unknown[] };
    if (answer.errors) say(`   ${q.label}: answers with errors, its figures measure refusals: ${JSON.stringify(answer.errors).slice(0, 200)}`);
    await measure(api, 2, 10, requestsOf(q));
  }
  const ceiling = await measure(hello, CONNECTIONS, REQUESTS);
  line("hello-world (ceiling)", ceiling);
  for (const q of QUERIES) {
    delete graphqlErrors[q.label];
    line(q.label, await measure(api, CONNECTIONS, REQUESTS, requestsOf(q)), ceiling);
    if (graphqlErrors[q.label]) say(`     ${graphqlErrors[q.label]} answers carried GraphQL errors (refusals, e.g. rate-limited)`);
  }
} catch (error) {
  say(`   the functions host failed: ${String(error)}`);
} finally {
  await host?.stop();
}
process.exit(0);
