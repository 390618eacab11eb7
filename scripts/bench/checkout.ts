/**
 * `npm run bench:checkout`: 100 customers check out the last 10 units of an item at once, twice:
 * at service level (the checkout implementation called directly against the Firestore emulator)
 * and through the `checkout-placeOrder` callable in the emulator suite, signed in with the
 * firebase JS SDK. Prints confirmed / sold out / errors / oversold / unsold and p50 / p95 / wall.
 * Prints figures; asserts nothing. Starts its own emulators when run outside them.
 */
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { checkout } from "../../functions/src/checkout/checkout.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { counterTotal } from "../../functions/src/shared/sharded-counter.ts";
import { customerCaller, restaurantWithStock, SOL } from "../../functions/test/support/checkout.ts";
import { randomPhone } from "../../functions/test/support/emulators.ts";
import { emulatorPorts, PROJECT_ID } from "../dev/emulator-env.ts";
import { ensureInsideEmulators, say } from "./inside-emulators.ts";

const CUSTOMERS = 100;
const UNITS = 10;

ensureInsideEmulators("scripts/bench/checkout.ts", "auth,functions,firestore,pubsub,tasks");

const request = (restaurantId: string, itemId: string) => ({
  restaurantId,
  lines: [{ itemId, quantity: 1, modifiers: [] }],
  deliveryAddress: SOL,
  tip: 0,
  paymentMethod: "cash" as const,
  idempotencyKey: randomUUID(),
});

type Outcome = "confirmed" | "sold out" | "error";

/** Runs every customer's attempt, at most `inFlight` at a time (all at once by default). */
async function race(label: string, attempt: (i: number) => Promise<Outcome>, restaurantId: string, itemId: string, inFlight = CUSTOMERS): Promise<void> {
  const latencies: number[] = [];
  const outcomes: Outcome[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < CUSTOMERS) {
        const i = next++;
        const t0 = performance.now();
        outcomes.push(await attempt(i));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wall = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const count = (o: Outcome) => outcomes.filter((x) => x === o).length;
  const left = await counterTotal(db().collection(COLLECTIONS.inventory).doc(`${restaurantId}__${itemId}`), 10);
  const confirmed = count("confirmed");
  say(
    `${label.padEnd(22)} confirmed ${String(confirmed).padStart(3)}  sold out ${String(count("sold out")).padStart(3)}  errors ${String(count("error")).padStart(3)}  ` +
      `oversold ${Math.max(0, confirmed - UNITS)}  unsold ${left}  ` +
      `p50 ${latencies[Math.floor(CUSTOMERS * 0.5)].toFixed(0)} ms  p95 ${latencies[Math.floor(CUSTOMERS * 0.95)].toFixed(0)} ms  wall ${(wall / 1000).toFixed(2)} s`,
  );
}

say(`checkout race: ${CUSTOMERS} customers, ${UNITS} units over 10 shards, node ${process.version}`);

// Service level: the checkout implementation, called as the callable gateway would call it.
{
  const { restaurantId, itemId } = await restaurantWithStock(UNITS);
  await race(
    "service level",
    (i) =>
      checkout
        .run(request(restaurantId, itemId), customerCaller(`bench-${i}`))
        .then(
          (): Outcome => "confirmed",
          (e: { extra?: { reason?: string } }): Outcome => (e.extra?.reason === "out-of-stock" ? "sold out" : "error"),
        ),
    restaurantId,
    itemId,
  );
}

// Through the callable: 100 signed-in app users, each with the firebase JS SDK; all at once,
// then ten in flight (the Functions emulator starts one worker process per concurrent call).
// BENCH_SERVICE_ONLY=1 skips these (a quicker run while working on the service).
for (const inFlight of process.env.BENCH_SERVICE_ONLY ? [] : [CUSTOMERS, 10]) {
  const { restaurantId, itemId } = await restaurantWithStock(UNITS);
  const ports = emulatorPorts();
  // Users are set up ten at a time: a hundred sign-ups at once time out in the Auth emulator.
  const clients: { app: ReturnType<typeof initializeApp>; call: ReturnType<typeof httpsCallable> }[] = [];
  for (let batch = 0; batch < CUSTOMERS; batch += 10) {
    clients.push(...(await Promise.all(
    Array.from({ length: 10 }, async (_, j) => {
      const i = batch + j;
      const email = `bench-${i}-${randomUUID()}@example.test`;
      // Cash orders need a phone Firebase Auth verified.
      await auth().createUser({ email, password: "bench-password", phoneNumber: randomPhone() });
      const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, `bench-${inFlight}-${i}`);
      connectAuthEmulator(getAuth(app), `http://${ports.auth}`, { disableWarnings: true });
      await signInWithEmailAndPassword(getAuth(app), email, "bench-password");
      const functions = getFunctions(app, "us-central1");
      const [host, port] = ports.functions.split(":");
      connectFunctionsEmulator(functions, host, Number(port));
      return { app, call: httpsCallable(functions, "checkout-placeOrder", { timeout: 60_000 }) };
    }),
    )));
  }
  // One call first, so the race does not also measure the function's cold start.
  await clients[0].call({}).catch(() => undefined);
  await race(
    `callable, ${inFlight} in flight`,
    (i) =>
      clients[i].call(request(restaurantId, itemId)).then(
        (): Outcome => "confirmed",
        (e: { details?: { reason?: string } }): Outcome => (e.details?.reason === "out-of-stock" ? "sold out" : "error"),
      ),
    restaurantId,
    itemId,
    inFlight,
  );
  await Promise.all(clients.map((c) => deleteApp(c.app)));
}
process.exit(0);
