/**
 * `npm run bench:checkout`: customers check out the last units of an item at once (100 on 10 by
 * default), in three cases of one run:
 *   - floor: the same number of bare transactions over the item's 10 shards, doing nothing else
 *     (what the Firestore emulator itself allows; the figure the others are compared with);
 *   - service level: the checkout implementation called directly against the Firestore emulator,
 *     with the Functions emulator running the workflow's triggers for the orders it creates;
 *   - through the `checkout-placeOrder` callable, signed in with the firebase JS SDK, all in
 *     flight and then ten in flight.
 * Prints confirmed / sold out / shed / timeouts / errors / oversold / unsold, p50 / p95 / wall,
 * and the emulator's lock timeouts during the case. Every failure is counted and reported, never
 * a crash. Asserts nothing. Starts its own emulators when run outside them.
 *
 *   npm run bench:checkout -- --customers 30 --units 3 --cases floor,service
 */
import { randomInt, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { deleteApp, initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { checkout } from "../../functions/src/checkout/checkout.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { applyTake, counterTotal, DEFAULT_SHARDS, planTakeFrom, setCounter } from "../../functions/src/shared/sharded-counter.ts";
import { customerCaller, restaurantWithStock, SOL } from "../../functions/test/support/checkout.ts";
import { randomPhone } from "../../functions/test/support/emulators.ts";
import { emulatorPorts, PROJECT_ID, REPO_ROOT } from "../dev/emulator-env.ts";
import { ensureInsideEmulators, say } from "./inside-emulators.ts";

const CASES = ["floor", "service", "callable"] as const;
type Case = (typeof CASES)[number];

const { values: flags } = parseArgs({
  options: {
    customers: { type: "string", default: process.env.CUSTOMERS ?? "100" },
    units: { type: "string", default: process.env.UNITS ?? "10" },
    cases: { type: "string", default: process.env.BENCH_SERVICE_ONLY ? "floor,service" : CASES.join(",") },
  },
});
const CUSTOMERS = Number(flags.customers);
const UNITS = Number(flags.units);
const cases = flags.cases.split(",").filter(Boolean) as Case[];
/** A call not answered by then counts as a timeout (the callable's client gives up then too). */
const CALL_TIMEOUT_MS = 60_000;

if (!(Number.isInteger(CUSTOMERS) && CUSTOMERS > 0 && Number.isInteger(UNITS) && UNITS > 0) || cases.some((c) => !CASES.includes(c))) {
  console.error(`usage: bench:checkout [--customers N] [--units N] [--cases ${CASES.join(",")}]`);
  process.exit(2);
}

ensureInsideEmulators(`scripts/bench/checkout.ts --customers ${CUSTOMERS} --units ${UNITS} --cases ${cases.join(",")}`, "auth,functions,firestore,pubsub,tasks");

const request = (restaurantId: string, itemId: string) => ({
  restaurantId,
  lines: [{ itemId, quantity: 1, modifiers: [] }],
  deliveryAddress: SOL,
  tip: 0,
  paymentMethod: "cash" as const,
  idempotencyKey: randomUUID(),
});

/** How one customer's attempt ended; errors keep their code or reason. */
type Outcome = "confirmed" | "sold out" | "shed" | "timeout" | `error ${string}`;

const SHED_REASONS = new Set(["item-busy", "checkout-contended"]);

/** An answer's outcome from a refusal's reason and code (service level: DomainError; callable: FunctionsError). */
function refusal(reason: string | undefined, code: string | undefined): Outcome {
  if (reason === "out-of-stock") return "sold out";
  if (reason && SHED_REASONS.has(reason)) return "shed";
  if (code === "deadline-exceeded" || code === "functions/deadline-exceeded" || reason === "bench-timeout") return "timeout";
  return `error ${reason ?? code ?? "unknown"}`;
}

/** `promise`, or a timeout outcome after CALL_TIMEOUT_MS. */
function within(promise: Promise<Outcome>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve("timeout"), CALL_TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The Firestore emulator logs every lock timeout (an attempt it aborted) in firestore-debug.log.
const FIRESTORE_LOG = join(REPO_ROOT, "firestore-debug.log");
const lockTimeouts = (): number => (existsSync(FIRESTORE_LOG) ? readFileSync(FIRESTORE_LOG, "utf8").split("Operation failed: Transaction lock timeout").length - 1 : 0);

/** Runs every customer's attempt, at most `inFlight` at a time; prints one line of figures. */
async function race(label: string, attempt: (i: number) => Promise<Outcome>, unitsLeft: () => Promise<number>, inFlight = CUSTOMERS): Promise<void> {
  const latencies: number[] = [];
  const outcomes: Outcome[] = [];
  const locksBefore = lockTimeouts();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < CUSTOMERS) {
        const i = next++;
        const t0 = performance.now();
        outcomes.push(await within(attempt(i).catch((e: unknown): Outcome => `error ${(e as Error).message ?? e}`)));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wall = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const errors = new Map<string, number>();
  for (const o of outcomes) if (o.startsWith("error ")) errors.set(o.slice(6), (errors.get(o.slice(6)) ?? 0) + 1);
  const left = await unitsLeft().catch(() => Number.NaN);
  const confirmed = count("confirmed");
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(0);
  const n = (v: number, w = 3) => String(v).padStart(w);
  say(
    `${label.padEnd(22)} confirmed ${n(confirmed)}  sold out ${n(count("sold out"))}  shed ${n(count("shed"))}  timeouts ${n(count("timeout"))}  errors ${n(outcomes.length - confirmed - count("sold out") - count("shed") - count("timeout"))}  ` +
      `oversold ${Math.max(0, confirmed - UNITS)}  unsold ${left}  exact ${confirmed + left === UNITS ? "yes" : "NO"}  ` +
      `p50 ${pct(0.5)} ms  p95 ${pct(0.95)} ms  wall ${(wall / 1000).toFixed(2)} s  lock timeouts ${lockTimeouts() - locksBefore}`,
  );
  if (errors.size > 0) say(`${"".padEnd(22)} errors: ${[...errors].map(([what, k]) => `${what} x${k}`).join(", ")}`);
}

/** `work`, tried up to three times: a busy machine makes the Auth emulator drop a sign-up now and then. */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2000 * attempt));
    }
  }
}

/** Runs one case; a case that cannot even be set up is reported, and the others still run. */
async function runCase(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    say(`${name.padEnd(22)} could not run: ${(error as Error).message ?? error}`);
  }
}

say(`checkout race: ${CUSTOMERS} customers, ${UNITS} units over ${DEFAULT_SHARDS} shards, node ${process.version}`);

// The floor: bare transactions over the shards of a counter, each reading one random shard and
// taking a unit if it holds one, with the SDK's default retries: nothing of ours but sharding.
if (cases.includes("floor")) {
  await runCase("floor", async () => {
    const root = db().collection("benchFloor").doc(randomUUID());
    await db().runTransaction(async (tx) => setCounter(tx, root, UNITS, DEFAULT_SHARDS));
    await race(
      "floor (bare tx)",
      () =>
        db()
          .runTransaction(async (tx) => {
            const take = await planTakeFrom(tx, root, [randomInt(DEFAULT_SHARDS)], 1);
            if ("short" in take) return "sold out" as const;
            applyTake(tx, root, take.allocation);
            return "confirmed" as const;
          })
          .catch((e: { code?: number }): Outcome => `error grpc ${e.code}`),
      () => counterTotal(root, DEFAULT_SHARDS),
    );
  });
}

const stockOf = (restaurantId: string, itemId: string) => () => counterTotal(db().collection(COLLECTIONS.inventory).doc(`${restaurantId}__${itemId}`), DEFAULT_SHARDS);

// Service level: the checkout implementation, called as the callable gateway would call it.
if (cases.includes("service")) {
  await runCase("service level", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(UNITS);
    await race(
      "service level",
      (i) =>
        checkout.run(request(restaurantId, itemId), customerCaller(`bench-${i}`)).then(
          (): Outcome => "confirmed",
          (e: { code?: string; extra?: { reason?: string } }) => refusal(e.extra?.reason, e.code),
        ),
      stockOf(restaurantId, itemId),
    );
  });
}

// Through the callable: signed-in app users, each with the firebase JS SDK; all at once, then
// ten in flight (the Functions emulator starts one worker process per concurrent call).
for (const inFlight of cases.includes("callable") ? [...new Set([CUSTOMERS, Math.min(10, CUSTOMERS)])] : []) {
  await runCase(`callable, ${inFlight} in flight`, async () => {
    const { restaurantId, itemId } = await restaurantWithStock(UNITS);
    const ports = emulatorPorts();
    // Users are set up ten at a time: a hundred sign-ups at once time out in the Auth emulator.
    const clients: { app: ReturnType<typeof initializeApp>; call: ReturnType<typeof httpsCallable> }[] = [];
    try {
      for (let batch = 0; batch < CUSTOMERS; batch += 10) {
        clients.push(
          ...(await Promise.all(
            Array.from({ length: Math.min(10, CUSTOMERS - batch) }, async (_, j) => {
              const i = batch + j;
              const email = `bench-${i}-${randomUUID()}@example.test`;
              // Cash orders need a phone Firebase Auth verified.
              await withRetries(() => auth().createUser({ email, password: "bench-password", phoneNumber: randomPhone() }));
              const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, `bench-${inFlight}-${i}`);
              connectAuthEmulator(getAuth(app), `http://${ports.auth}`, { disableWarnings: true });
              await withRetries(() => signInWithEmailAndPassword(getAuth(app), email, "bench-password"));
              const functions = getFunctions(app, "us-central1");
              const [host, port] = ports.functions.split(":");
              connectFunctionsEmulator(functions, host, Number(port));
              return { app, call: httpsCallable(functions, "checkout-placeOrder", { timeout: CALL_TIMEOUT_MS }) };
            }),
          )),
        );
      }
      // One call first, so the race does not also measure the function's cold start.
      await clients[0].call({}).catch(() => undefined);
      await race(
        `callable, ${inFlight} in flight`,
        (i) =>
          clients[i].call(request(restaurantId, itemId)).then(
            (): Outcome => "confirmed",
            (e: { code?: string; details?: { reason?: string } }) => refusal(e.details?.reason, e.code),
          ),
        stockOf(restaurantId, itemId),
        inFlight,
      );
    } finally {
      await Promise.all(clients.map((c) => deleteApp(c.app).catch(() => undefined)));
    }
  });
}
process.exit(0);
