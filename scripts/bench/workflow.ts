/**
 * `npm run bench:workflow`: orders from checkout to delivered in the emulator suite, with the
 * staff and courier moves made the moment each becomes possible. Every order is paid by card
 * through the local Stripe double, accepted and prepared by restaurant staff, offered by dispatch
 * to the nearest free courier, picked up, delivered, and its payment captured. Prints p50 / p95
 * per stage and end to end, the orders left in a non-terminal state, wall time and throughput.
 * Runs ORDERS (default 50) orders one at a time, then ORDERS with IN_FLIGHT (default 10) at once.
 * Prints figures; asserts nothing. Starts the Stripe double and its own emulators when run
 * outside them.
 */
import { randomUUID } from "node:crypto";
import { deleteApp, initializeApp, type FirebaseApp } from "firebase/app";
import { connectAuthEmulator, getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions, httpsCallable } from "firebase/functions";
import { restaurantDocument } from "../../functions/src/catalog/catalog.model.ts";
import { CALLABLES } from "../../functions/src/contract/callables.ts";
import type { CheckoutRequest, CheckoutResponse } from "../../functions/src/contract/checkout.ts";
import type { CourierOrderAction, CourierStatusRequest, RestaurantOrderAction } from "../../functions/src/contract/orders.ts";
import { setStockLevel } from "../../functions/src/inventory/stock.service.ts";
import { GIVEN_UP_STATES } from "../../functions/src/orders/order-state.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { auth, db } from "../../functions/src/shared/firebase.ts";
import { emulatorPorts, PROJECT_ID } from "../dev/emulator-env.ts";
import { STRIPE_DOUBLE_URL, startStripeDouble, startTaskRelay, TASK_RELAY_URL } from "../dev/local-services.ts";
import { doubleListening, ensureInsideEmulators, say, startDoubleIfAbsent } from "./inside-emulators.ts";

const ORDERS = Number(process.env.ORDERS ?? 50);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 10);
/** How long one stage may take before its order counts as stuck there. */
const STAGE_TIMEOUT_MS = 60_000;
const TARGET_END_TO_END_P95_MS = 5_000;
/** Where an order's story ends: delivered, or given up (every compensation done). */
const SETTLED_STATES: string[] = ["delivered", ...GIVEN_UP_STATES];
const PASSWORD = "bench-password";

const STRIPE_PROBE = `${STRIPE_DOUBLE_URL}/_double/requests`;
await startDoubleIfAbsent(STRIPE_PROBE, startStripeDouble);
// Delayed tasks (a courier offer's expiry, search rounds, escalation, the payment and acceptance
// clocks) wait in the relay until due, as on Cloud Tasks. Without it they reach the Tasks
// emulator, which ignores schedule times: every one ran at once, was refused as not due and was
// retried with backoff, several times per order, on the cores the workflow needs.
await startDoubleIfAbsent(`${TASK_RELAY_URL}/tasks`, startTaskRelay);
ensureInsideEmulators("scripts/bench/workflow.ts", "auth,functions,firestore,pubsub,tasks");

if (!(Number.isInteger(ORDERS) && ORDERS > 0 && Number.isInteger(IN_FLIGHT) && IN_FLIGHT > 0)) {
  say(`ORDERS and IN_FLIGHT must be whole numbers above 0 (got ${process.env.ORDERS}, ${process.env.IN_FLIGHT})`);
  process.exit(1);
}
if (!(await doubleListening(STRIPE_PROBE))) {
  say(`no Stripe double at ${STRIPE_DOUBLE_URL}: card payments cannot be confirmed. Run from a shell (it starts one) or beside npm start.`);
  process.exit(1);
}

// ---- stages -------------------------------------------------------------------------------

const STAGES = [
  "checkout call",
  "payment confirmed -> placed",
  "accept call -> courier offered",
  "courier accept call",
  "preparing + ready calls",
  "picked up + delivered calls",
  "delivered -> captured",
  "end to end",
] as const;
type Stage = (typeof STAGES)[number];

/** Measured beside the stages: capture runs in the background from the restaurant's accept. */
const ACCEPT_TO_CAPTURED = "accept call -> captured (async)";

class StageFailure extends Error {
  constructor(
    readonly stage: Stage,
    message: string,
  ) {
    super(message);
  }
}

interface OrderRun {
  orderId?: string;
  timings: Map<string, number>;
  failure?: StageFailure;
}

// ---- signed-in app users ------------------------------------------------------------------

interface AppUser {
  uid: string;
  app: FirebaseApp;
  call<T>(name: string, data: unknown): Promise<T>;
}

let appCount = 0;

/** Creates a user with `claims` through firebase-admin and signs them in with the JS SDK. */
async function signedInUser(kind: string, claims?: Record<string, unknown>): Promise<AppUser> {
  const email = `bench-${kind}-${randomUUID()}@example.test`;
  const { uid } = await auth().createUser({ email, password: PASSWORD });
  if (claims) await auth().setCustomUserClaims(uid, claims);
  const ports = emulatorPorts();
  const app = initializeApp({ projectId: PROJECT_ID, apiKey: "demo-api-key" }, `bench-workflow-${appCount++}`);
  connectAuthEmulator(getAuth(app), `http://${ports.auth}`, { disableWarnings: true });
  await signInWithEmailAndPassword(getAuth(app), email, PASSWORD);
  const functions = getFunctions(app, "us-central1");
  const [host, port] = ports.functions.split(":");
  connectFunctionsEmulator(functions, host, Number(port));
  return {
    uid,
    app,
    call: async <T>(name: string, data: unknown) => (await httpsCallable(functions, name, { timeout: STAGE_TIMEOUT_MS })(data)).data as T,
  };
}

/** Creates `count` users, ten at a time (many sign-ups at once time out in the Auth emulator). */
async function signedInUsers(count: number, make: (i: number) => Promise<AppUser>): Promise<AppUser[]> {
  const users: AppUser[] = [];
  for (let batch = 0; batch < count; batch += 10) {
    users.push(...(await Promise.all(Array.from({ length: Math.min(10, count - batch) }, (_, j) => make(batch + j)))));
  }
  return users;
}

/** A callable's refusal as one line: code, message and reason. */
function describe(error: unknown): string {
  const e = error as { code?: string; message?: string; details?: { reason?: string }; cause?: { code?: string; message?: string } };
  return [e.code, e.message, e.details?.reason ? `(${e.details.reason})` : undefined, e.cause ? `(${e.cause.code ?? e.cause.message})` : undefined].filter(Boolean).join(" ");
}

// ---- watching an order --------------------------------------------------------------------

interface OrderDoc {
  status?: string;
  courierUid?: string | null;
  payment?: { status?: string };
  dispatch?: { status?: string; offer?: { courierUid?: string } | null; offers?: number };
}

/** Follows `orders/{orderId}` with a listener; remembers when each payment state was first seen. */
class OrderWatch {
  private latest: OrderDoc | undefined;
  private readonly checks = new Set<() => void>();
  private readonly stopListening: () => void;
  readonly paymentSeenAt = new Map<string, number>();

  constructor(readonly orderId: string) {
    this.stopListening = db()
      .collection(COLLECTIONS.orders)
      .doc(orderId)
      .onSnapshot(
        (snapshot) => {
          const order = snapshot.data() as OrderDoc | undefined;
          this.latest = order;
          const payment = order?.payment?.status;
          if (payment && !this.paymentSeenAt.has(payment)) this.paymentSeenAt.set(payment, performance.now());
          for (const check of [...this.checks]) check();
        },
        (error) => say(`listener on order ${orderId} failed: ${error.message}`),
      );
  }

  /** Resolves with the order once `done` holds; fails the stage after STAGE_TIMEOUT_MS. */
  until(stage: Stage, done: (order: OrderDoc) => boolean): Promise<OrderDoc> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.latest || !done(this.latest)) return;
        clearTimeout(timer);
        this.checks.delete(check);
        resolve(this.latest);
      };
      const timer = setTimeout(() => {
        this.checks.delete(check);
        reject(new StageFailure(stage, `timed out after ${STAGE_TIMEOUT_MS / 1000} s: ${this.summary()}`));
      }, STAGE_TIMEOUT_MS);
      this.checks.add(check);
      check();
    });
  }

  summary(): string {
    const order = this.latest;
    return `status ${order?.status ?? "?"}, payment ${order?.payment?.status ?? "?"}, dispatch ${order?.dispatch?.status ?? "-"}`;
  }

  stop(): void {
    this.stopListening();
  }
}

// ---- setup --------------------------------------------------------------------------------

// A point in the open South Atlantic, new each run: no demo data and no courier left over from an
// earlier run is near it, so every offer goes to a courier of this run.
const restaurantLocation = { lat: -40 + Math.random() * 5, lng: -25 + Math.random() * 5 };
const deliveryAddress = { id: "bench", label: "Bench", line1: "Bench street 1", city: "Bench", postalCode: "00000", country: "ES", location: restaurantLocation };
const restaurantId = `bench-workflow-${randomUUID()}`;
const ITEM_ID = "dish";

say(`workflow: ${ORDERS} orders one at a time, then ${ORDERS} with ${IN_FLIGHT} in flight; checkout to delivered, card payments, node ${process.version}`);
const setupStarted = performance.now();

await db()
  .doc(`${COLLECTIONS.restaurants}/${restaurantId}`)
  .set(
    restaurantDocument({
      name: "Workflow Bench Kitchen",
      cuisines: ["test"],
      location: restaurantLocation,
      address: "Bench street 1",
      deliveryRadiusKm: 5,
      deliveryFee: 100,
      openingHours: { timeZone: "Europe/Madrid", weekly: Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ open: "00:00", close: "24:00" }]])) },
      currency: "EUR",
      published: true,
    }),
  );
await db().doc(`${COLLECTIONS.restaurants}/${restaurantId}/${COLLECTIONS.categories}/main`).set({ name: "Main", position: 0 });
await db()
  .doc(`${COLLECTIONS.restaurants}/${restaurantId}/${COLLECTIONS.items}/${ITEM_ID}`)
  .set({ categoryId: "main", name: "Bench dish", price: { amount: 1000, currency: "EUR" }, modifierGroups: [], available: true, tracksStock: true, imageUrls: [] });
// Enough for every order and the warm-up one, so stock never refuses a checkout.
// Enough for the warm-up and both passes: the figures are about the workflow, not sold-out refusals.
await setStockLevel(restaurantId, ITEM_ID, 2 * ORDERS + 10);

// One customer per order (checkout allows a user 10 calls a minute), one staff member per lane
// (staff moves allow 120 a minute), one courier per order, all within a kilometre of the kitchen.
const customers = await signedInUsers(ORDERS + 1, () => signedInUser("customer"));
const staff = await signedInUsers(IN_FLIGHT, () => signedInUser("staff", { role: "staff", restaurantIds: [restaurantId] }));
const couriers = await signedInUsers(ORDERS, async (i) => {
  const courier = await signedInUser("courier", { role: "courier" });
  const location = { lat: restaurantLocation.lat + (i + 1) * 0.0002, lng: restaurantLocation.lng };
  await courier.call(CALLABLES.updateCourierStatus, { available: true, location } satisfies CourierStatusRequest);
  return courier;
});
const courierByUid = new Map(couriers.map((c) => [c.uid, c]));
say(`setup: ${customers.length} customers, ${staff.length} staff, ${couriers.length} couriers available in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

// ---- one order ----------------------------------------------------------------------------

/** Runs one order through the whole workflow, timing each stage; stops at the first failure. */
async function runOrder(customer: AppUser, staffMember: AppUser): Promise<OrderRun> {
  const run: OrderRun = { timings: new Map() };
  let watch: OrderWatch | undefined;
  let stage: Stage = "checkout call";
  const timed = async <T>(name: Stage, work: () => Promise<T>): Promise<T> => {
    stage = name;
    const t0 = performance.now();
    const result = await work();
    run.timings.set(name, performance.now() - t0);
    return result;
  };
  const started = performance.now();
  try {
    const checkout = await timed("checkout call", () =>
      customer.call<CheckoutResponse>(CALLABLES.placeOrder, {
        restaurantId,
        lines: [{ itemId: ITEM_ID, quantity: 1, modifiers: [] }],
        deliveryAddress,
        tip: 0,
        paymentMethod: "card",
        idempotencyKey: randomUUID(),
      } satisfies CheckoutRequest),
    );
    const orderId = checkout.orderId;
    run.orderId = orderId;
    const order = new OrderWatch(orderId);
    watch = order;

    await timed("payment confirmed -> placed", async () => {
      const intentId = checkout.payment?.paymentIntentClientSecret.split("_secret_")[0];
      if (!intentId) throw new Error("checkout answered without a card payment sheet");
      const response = await fetch(`${STRIPE_DOUBLE_URL}/_double/payment_intents/${intentId}/confirm`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ outcome: "authorized" }),
        signal: AbortSignal.timeout(STAGE_TIMEOUT_MS),
      });
      const confirmed = (await response.json()) as { delivered?: number | null };
      if (confirmed.delivered !== 200) throw new Error(`the Stripe double's webhook delivery answered ${confirmed.delivered ?? "nothing"}`);
      await order.until("payment confirmed -> placed", (o) => o.status === "placed");
    });

    const staffMove = (action: RestaurantOrderAction["action"]) => staffMember.call(CALLABLES.restaurantOrderAction, { orderId, action } satisfies RestaurantOrderAction);
    const acceptStarted = performance.now();
    const offered = await timed("accept call -> courier offered", async () => {
      await staffMove("accept");
      return order.until("accept call -> courier offered", (o) => !!o.dispatch?.offer?.courierUid);
    });
    const courierUid = offered.dispatch!.offer!.courierUid!;
    const courier = courierByUid.get(courierUid);
    if (!courier) throw new Error(`offered to courier ${courierUid}, who is not one of this run's`);
    const courierMove = (action: CourierOrderAction["action"]) => courier.call(CALLABLES.courierOrderAction, { orderId, action } satisfies CourierOrderAction);

    await timed("courier accept call", () => courierMove("accept"));
    await timed("preparing + ready calls", async () => {
      await staffMove("preparing");
      await staffMove("ready");
    });
    await timed("picked up + delivered calls", async () => {
      await courierMove("picked_up");
      await courierMove("delivered");
    });
    await timed("delivered -> captured", () => order.until("delivered -> captured", (o) => o.status === "delivered" && o.payment?.status === "captured"));
    run.timings.set("end to end", performance.now() - started);
    const capturedAt = order.paymentSeenAt.get("captured");
    if (capturedAt !== undefined) run.timings.set(ACCEPT_TO_CAPTURED, capturedAt - acceptStarted);
  } catch (error) {
    run.failure = error instanceof StageFailure ? error : new StageFailure(stage, describe(error));
  } finally {
    watch?.stop();
  }
  return run;
}

// ---- the run ------------------------------------------------------------------------------

// One order first, so the figures do not include the functions' cold starts.
{
  const warmUp = await runOrder(customers[ORDERS], staff[0]);
  const endToEnd = warmUp.timings.get("end to end");
  say(`warm-up order: ${endToEnd !== undefined ? `${endToEnd.toFixed(0)} ms end to end` : `failed at "${warmUp.failure?.stage}": ${warmUp.failure?.message}`}`);
  say(`  ${[...warmUp.timings].filter(([stage]) => stage !== "end to end").map(([stage, value]) => `${stage} ${value.toFixed(0)}`).join(", ")} (ms)`);
}

/**
 * Two passes of ORDERS orders each: one order at a time (the latency an order sees; the target
 * applies here), then IN_FLIGHT at once (throughput, and what queueing does to latency on this
 * machine, where every function of the emulator suite shares its cores).
 */
async function runPass(inFlight: number): Promise<{ runs: OrderRun[]; wallMs: number }> {
  const runs: OrderRun[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    staff.slice(0, inFlight).map(async (staffMember) => {
      while (next < ORDERS) {
        const i = next++;
        runs.push(await runOrder(customers[i], staffMember));
      }
    }),
  );
  return { runs, wallMs: performance.now() - started };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * p) - 1))];
const ms = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(0)).padStart(8);

async function report(label: string, inFlight: number, { runs, wallMs }: { runs: OrderRun[]; wallMs: number }): Promise<void> {
  say();
  say(`── ${label}: ${ORDERS} orders, ${inFlight} in flight`);
  say(`${"stage".padEnd(34)}${"orders".padStart(7)}${"p50 ms".padStart(8)}${"p95 ms".padStart(8)}`);
  let endToEndP95: number | undefined;
  for (const stage of [...STAGES.slice(0, -1), ACCEPT_TO_CAPTURED, "end to end"]) {
    const values = runs.flatMap((r) => (r.timings.has(stage) ? [r.timings.get(stage)!] : [])).sort((a, b) => a - b);
    const p50 = values.length ? percentile(values, 0.5) : undefined;
    const p95 = values.length ? percentile(values, 0.95) : undefined;
    if (stage === "end to end") endToEndP95 = p95;
    const target = stage === "end to end" ? `   target p95 < ${TARGET_END_TO_END_P95_MS} ms` : "";
    say(`${stage.padEnd(34)}${String(values.length).padStart(7)}${ms(p50)}${ms(p95)}${target}`);
  }

  // What each order has become, read afresh once every run of the pass has ended.
  const created = runs.filter((r) => r.orderId);
  const finalStates = new Map<string, OrderDoc | undefined>();
  for (const r of created) finalStates.set(r.orderId!, (await db().collection(COLLECTIONS.orders).doc(r.orderId!).get()).data() as OrderDoc | undefined);
  const stuck = created.filter((r) => !SETTLED_STATES.includes(finalStates.get(r.orderId!)?.status ?? ""));
  const completed = runs.filter((r) => r.timings.has("end to end")).length;

  // Every courier answers at once: an order offered more than once had an offer lapse (or refused).
  const reoffered = created.filter((r) => (finalStates.get(r.orderId!)?.dispatch?.offers ?? 0) > 1).length;
  say(`completed ${completed}/${ORDERS}   stuck (not terminal) ${stuck.length} (target 0)   no order created ${runs.length - created.length}   offered more than once ${reoffered} (target 0)`);
  say(`end to end p95 ${endToEndP95 === undefined ? "-" : `${endToEndP95.toFixed(0)} ms`} (target < ${TARGET_END_TO_END_P95_MS} ms)`);
  say(`wall ${(wallMs / 1000).toFixed(1)} s   throughput ${(ORDERS / (wallMs / 1000)).toFixed(2)} orders/s`);

  const failures = new Map<string, string[]>();
  for (const r of runs) {
    if (!r.failure) continue;
    const key = `${r.failure.stage}: ${r.failure.message}`;
    failures.set(key, [...(failures.get(key) ?? []), r.orderId ?? "(no order)"]);
  }
  if (failures.size) {
    say("failures:");
    for (const [what, orderIds] of failures) say(`  ${orderIds.length} x ${what}   e.g. ${orderIds.slice(0, 3).join(", ")}`);
  }
  for (const r of stuck.slice(0, 5)) {
    const order = finalStates.get(r.orderId!);
    say(`stuck: ${r.orderId} status ${order?.status ?? "?"}, payment ${order?.payment?.status ?? "?"}, dispatch ${order?.dispatch?.status ?? "-"}`);
  }
}

await report("one at a time", 1, await runPass(1));
await report("concurrent", IN_FLIGHT, await runPass(IN_FLIGHT));

// Off duty, so no later run or app session offers anything to this run's couriers.
const offDuty = db().batch();
for (const courier of couriers) offDuty.set(db().collection(COLLECTIONS.couriers).doc(courier.uid), { available: false }, { merge: true });
await offDuty.commit();
await Promise.all([...customers, ...staff, ...couriers].map((user) => deleteApp(user.app)));
process.exit(0);
