/**
 * `npm run bench:chaos`: ORDERS (default 50) orders through the whole workflow while the fault
 * plan fails, hangs or loses the answer of random points (seeded: SEED, default 1; each point
 * hit with probability FAULT_RATE, default 0.15), with duplicate and out-of-order redeliveries
 * of their events; then recovery (retries, sweeps, time passing for held tasks, dead-letter
 * replays); then the invariant auditor over everything. Prints faults injected by point,
 * retries, dead letters, replays, final states and `violations N` (exit 1 when N > 0).
 * Starts its own emulators and local services when run from a shell.
 */
import { auditInvariants, formatReport } from "../../functions/src/audit/invariants.ts";
import { stripeClient } from "../../functions/src/payments/stripe.gateway.ts";
import { setStockLevel } from "../../functions/src/inventory/stock.service.ts";
import { COLLECTIONS } from "../../functions/src/shared/collections.ts";
import { db } from "../../functions/src/shared/firebase.ts";
import { admin, signInWithRole, signUpWithPhone, type AppClient } from "../../functions/test/support/emulators.ts";
import { clearFaultPlan, faultReport, setFaultPlan, type FaultRule } from "../../functions/test/support/faults.ts";
import { journey, recover, type Ending, type JourneyResult } from "../../functions/test/support/journey.ts";
import { courierAt, deliverAgain, kitchen, type Kitchen } from "../../functions/test/support/workflow.ts";
import { FAULT_PLAN_URL, FCM_DOUBLE_URL, STRIPE_DOUBLE_URL, startLocalServices, TWILIO_DOUBLE_URL } from "../dev/local-services.ts";
import { emulatorEnv } from "../dev/emulator-env.ts";
import { seededRandom } from "../lib/seeded-random.ts";
import { doubleListening, ensureInsideEmulators, say } from "./inside-emulators.ts";
import { shapedQuery } from "../../functions/src/shared/queries.ts";

const ORDERS = Number(process.env.ORDERS ?? 50);
const SEED = Number(process.env.SEED ?? 1);
const FAULT_RATE = Number(process.env.FAULT_RATE ?? 0.15);
/** Kitchens, each with its courier; their orders run one after another, the kitchens at once. */
const KITCHENS = 5;

if (!process.env.FIRESTORE_EMULATOR_HOST && !(await doubleListening(`${FAULT_PLAN_URL}/report`))) {
  const services = await startLocalServices(emulatorEnv().env);
  process.on("exit", () => services.forEach((s) => s.kill()));
}
ensureInsideEmulators("scripts/bench/chaos.ts", "auth,functions,firestore,pubsub,tasks");

if (!(Number.isInteger(ORDERS) && ORDERS > 0 && FAULT_RATE >= 0 && FAULT_RATE <= 1)) {
  say(`ORDERS must be a whole number above 0 and FAULT_RATE within 0..1 (got ${process.env.ORDERS}, ${process.env.FAULT_RATE})`);
  process.exit(1);
}

const random = seededRandom(SEED);
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];

// Every point of the plan, at the same rate; calls to the outside may also lose their answer.
const POINTS = ["tasks.enqueue:*", "pubsub.publish:*", "checkout.after-commit", "dispatch.after-start", "settlement.after-provider", "notifications.after-claim"];
const PROVIDERS = ["stripe.authorize", "stripe.capture", "stripe.cancel", "stripe.refund", "twilio.send", "fcm.send"];
const rules: FaultRule[] = [
  ...POINTS.map((point): FaultRule => ({ point, mode: "fail", probability: FAULT_RATE })),
  ...PROVIDERS.flatMap((point): FaultRule[] => [
    { point, mode: "fail", probability: FAULT_RATE / 2 },
    { point, mode: "lose", probability: FAULT_RATE / 2 },
  ]),
  { point: "*", mode: "hang", probability: 0.02, hangMs: 1500 },
];

const started = Date.now();
say(`chaos: ${ORDERS} orders, seed ${SEED}, fault rate ${FAULT_RATE}, ${KITCHENS} kitchens at once`);

const kitchens: { k: Kitchen; courier: AppClient }[] = [];
for (let i = 0; i < KITCHENS; i += 1) {
  const k = await kitchen();
  await setStockLevel(k.restaurantId, k.itemId, 4 * ORDERS);
  kitchens.push({ k, courier: await courierAt(k.location) });
}
const operator = await signInWithRole("admin");
await clearFaultPlan();
await setFaultPlan(rules, SEED);

const endings: Ending[] = ["delivered", "delivered", "delivered", "delivered", "rejected", "cancelled-before-acceptance", "cancelled-after-acceptance"];
const plans = Array.from({ length: ORDERS }, (_, i) => ({ i, at: kitchens[i % KITCHENS], payment: random() < 0.7 ? ("card" as const) : ("cash" as const), ending: pick(endings) }));
const results: JourneyResult[] = [];
const cashCustomers: AppClient[] = [];
let redelivered = 0;

// A kitchen's courier takes one delivery at a time: orders of one kitchen run one after another.
await Promise.all(
  kitchens.map(async (_, kitchenIndex) => {
    for (const plan of plans.filter((p) => p.i % KITCHENS === kitchenIndex)) {
      // A cash order gets a customer of its own: one a fault left open must not count against
      // the kitchen customer's next cash order (MAX_OPEN_CASH_ORDERS).
      const k = plan.payment === "cash" ? { ...plan.at.k, customer: await signUpWithPhone() } : plan.at.k;
      if (k !== plan.at.k) cashCustomers.push(k.customer);
      const result = await journey(k, plan.at.courier, operator, plan.payment, plan.ending);
      results.push(result);
      if (!result.orderId) continue;
      // At-least-once delivery: some events arrive again, late and out of order.
      const events = (await shapedQuery("outboxOfOrder", admin().db, result.orderId).get()).docs.map((d) => d.data());
      for (const event of events.sort(() => random() - 0.5).slice(0, 2)) {
        if (random() < 0.5) continue;
        await deliverAgain(event).catch(() => undefined);
        redelivered += 1;
      }
    }
  }),
);

const faults = await faultReport();
await clearFaultPlan();
const orderIds = results.flatMap((r) => (r.orderId ? [r.orderId] : []));
const recovery = await recover(orderIds, 240_000);
const deadLetters = (await db().collection(COLLECTIONS.deadLetters).get()).docs.map((d) => d.data());

const report = await auditInvariants(db(), {
  stripe: stripeClient("sk_test_local_double", STRIPE_DOUBLE_URL),
  providerDoubles: { fcm: FCM_DOUBLE_URL, twilio: TWILIO_DOUBLE_URL },
});

const finals = new Map<string, number>();
for (const id of orderIds) {
  const status = (await db().doc(`${COLLECTIONS.orders}/${id}`).get()).get("status") as string;
  finals.set(status, (finals.get(status) ?? 0) + 1);
}

say("");
say("faults injected by point:");
const injected = Object.entries(faults.injections).sort((a, b) => b[1] - a[1]);
for (const [point, count] of injected) say(`  ${point.padEnd(58)} ${count}`);
say(`faults injected             ${injected.reduce((sum, [, n]) => sum + n, 0)} at ${injected.length} point/mode pairs`);
say(`points passed through      ${Object.values(faults.passes).reduce((a, b) => a + b, 0)} passes over ${Object.keys(faults.passes).length} points`);
say(`client retries              ${results.reduce((sum, r) => sum + r.retries, 0)}`);
say(`journeys cut short          ${results.filter((r) => r.stuck).length}${results.some((r) => r.stuck) ? ` (${[...new Set(results.filter((r) => r.stuck).map((r) => r.stuck!.split(":")[0]))].join(", ")})` : ""}`);
say(`events redelivered          ${redelivered}`);
say(`dead letters                ${deadLetters.length} (replayed ${recovery.replayed}, still open ${deadLetters.filter((d) => d.status === "open").length})`);
say(`recovery                    ${recovery.rounds} rounds, outbox records swept ${recovery.sweptOutbox}, stalled orders re-driven ${recovery.redriven}, unsettled ${recovery.unsettled.length}`);
say(`final states                ${[...finals.entries()].map(([s, n]) => `${s} ${n}`).join(", ")}`);
say(`wall time                   ${((Date.now() - started) / 1000).toFixed(1)} s`);
say("");
for (const line of formatReport(report)) say(line);
await Promise.all([operator, ...cashCustomers, ...kitchens.flatMap(({ k, courier }) => [k.staff, k.customer, courier])].map((c) => c.close()));
process.exit(report.violations.length > 0 ? 1 : 0);
