/**
 * One order's whole life driven from outside, as the app, the kitchen and the courier would,
 * with their retries; then recovery as operations would run it (sweeps, time passing for held
 * tasks, dead-letter replays). Shared by the fault-point tests and `npm run bench:chaos`.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { CALLABLES } from "../../src/contract/callables";
import type { CheckoutResponse } from "../../src/contract/checkout";
import { redriveIfStalled, sweepStalledOrders } from "../../src/orders/stall-sweep.service";
import { sweepLedger } from "../../src/notifications/ledger";
import { sweepOutbox } from "../../src/orders/outbox.service";
import { GIVEN_UP_STATES, type OrderState } from "../../src/orders/order-state";
import { stallOf, type FollowUpFields } from "../../src/orders/follow-ups";
import { confirmPayment } from "./checkout";
import { admin, type AppClient } from "./emulators";
import { runHeldTasks } from "./faults";
import { cart, type Kitchen } from "./workflow";

// __filename, not __dirname: the benchmarks load this file from ES modules too.
const REPO = join(dirname(__filename), "..", "..", "..");
const TRANSIENT = ["functions/unavailable", "functions/internal", "functions/aborted", "functions/deadline-exceeded"];
const SETTLED: OrderState[] = ["delivered", ...GIVEN_UP_STATES];
/** How far ahead a waiting journey looks for its order's stall: past a search round, short of an offer's or a deadline's time. */
const NUDGE_AHEAD_MS = 3 * 60_000;

export type Ending = "delivered" | "rejected" | "cancelled-before-acceptance" | "cancelled-after-acceptance";

export interface JourneyResult {
  orderId?: string;
  /** Calls the people had to repeat after a transient error. */
  retries: number;
  /** Where the journey could not go on, if anywhere. */
  stuck?: string;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls like an app with a retry policy: the same request again after a transient error. */
async function persist<T>(result: JourneyResult, call: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      if (!TRANSIENT.includes(code) || attempt >= attempts) throw error;
      result.retries += 1;
      await pause(300 * attempt);
    }
  }
}

async function order(orderId: string) {
  return (await admin().db.doc(`orders/${orderId}`).get()).data() ?? {};
}

/** Waits until `done`; while waiting, lets time pass for the order's held tasks now and then. */
async function until(orderId: string, done: (o: FirebaseFirestore.DocumentData) => boolean, timeoutMs = 60_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let nextNudge = Date.now() + 8000;
  while (Date.now() < deadline) {
    if (done(await order(orderId))) return true;
    if (Date.now() > nextNudge) {
      // Time passes: a search round waiting in the queue comes due, and the stall sweep (every
      // five minutes when deployed) looks at this order: what a failed step left behind beyond
      // the redeliveries (shared/local-redelivery.ts) is re-driven by the sweep.
      await runHeldTasks({ idPrefix: `search-${orderId}` });
      await redriveIfStalled(orderId, Date.now() + NUDGE_AHEAD_MS).catch(() => null);
      nextNudge = Date.now() + 8000;
    }
    await pause(200);
  }
  return false;
}

/** Drives one order from checkout to `ending`. Never throws: a journey that cannot go on says where. */
export async function journey(k: Kitchen, courier: AppClient, operator: AppClient, payment: "card" | "cash", ending: Ending): Promise<JourneyResult> {
  const result: JourneyResult = { retries: 0 };
  const step = async (name: string, work: () => Promise<unknown>) => {
    if (result.stuck) return;
    try {
      await work();
    } catch (error) {
      result.stuck = `${name}: ${(error as Error).message}`;
    }
  };
  const request = cart(k, payment);
  // The customer's phone takes push, so the notification senders have someone to reach.
  await step("device", () => persist(result, () => k.customer.call(CALLABLES.registerDevice, { token: `journey-device-${k.customer.user.uid}`, platform: "android", appVersion: "1.0.0" })));
  await step("checkout", async () => {
    const placed = await persist(result, () => k.customer.call<CheckoutResponse>(CALLABLES.placeOrder, request));
    result.orderId = placed.orderId;
    if (placed.payment) await confirmPayment(placed.payment.paymentIntentClientSecret.split("_secret_")[0], "authorized");
  });
  const orderId = result.orderId!;
  const act = (who: AppClient, name: string, data: Record<string, unknown>) => persist(result, () => who.call(name, { orderId, ...data }));
  const reach = async (what: string, done: (o: FirebaseFirestore.DocumentData) => boolean) => {
    if (!(await until(orderId, done))) throw new Error(`never ${what}`);
  };
  await step("placed", () => reach("placed", (o) => o.status === "placed"));
  if (ending === "rejected") {
    await step("reject", () => act(k.staff, CALLABLES.restaurantOrderAction, { action: "reject", reason: "kitchen-closed" }));
    return result;
  }
  if (ending === "cancelled-before-acceptance") {
    await step("cancel", () => act(k.customer, CALLABLES.cancelOrder, { reason: "changed-mind" }));
    return result;
  }
  await step("accept", () => act(k.staff, CALLABLES.restaurantOrderAction, { action: "accept" }));
  if (ending === "cancelled-after-acceptance") {
    await step("captured", () => reach("captured", (o) => payment === "cash" || o.payment?.status === "captured"));
    await step("admin cancel", () => act(operator, CALLABLES.adminOrderAction, { action: "cancel", reason: "restaurant-request" }));
    return result;
  }
  await step("offered", () => reach("offered to the courier", (o) => o.dispatch?.offer?.courierUid === courier.user.uid || o.courierUid === courier.user.uid));
  await step("courier accept", () => act(courier, CALLABLES.courierOrderAction, { action: "accept" }));
  for (const action of ["preparing", "ready"]) await step(action, () => act(k.staff, CALLABLES.restaurantOrderAction, { action }));
  for (const action of ["picked_up", "delivered"]) await step(action, () => act(courier, CALLABLES.courierOrderAction, { action }));
  return result;
}

export interface Recovery {
  rounds: number;
  sweptOutbox: number;
  redriven: number;
  replayed: number;
  /** Claims whose sender died mid-call, now `unknown` for an operator. */
  unknownMessages: number;
  unsettled: string[];
}

/**
 * What operations do after an incident, repeated until every order has settled or `timeoutMs`
 * passes: time passes for held tasks, the outbox and stall sweeps run as if their grace had
 * elapsed, and open dead letters are replayed.
 */
export async function recover(orderIds: string[], timeoutMs = 120_000): Promise<Recovery> {
  const recovery: Recovery = { rounds: 0, sweptOutbox: 0, redriven: 0, replayed: 0, unknownMessages: 0, unsettled: [] };
  const deadline = Date.now() + timeoutMs;
  const later = () => Date.now() + 60 * 60_000;
  for (;;) {
    const unsettled: string[] = [];
    for (const id of orderIds) {
      const o = (await order(id)) as FollowUpFields & FirebaseFirestore.DocumentData;
      const settled = SETTLED.includes(o.status) && !o.attention && stallOf(o as FollowUpFields, later()) === null;
      if (!settled) unsettled.push(id);
    }
    recovery.unsettled = unsettled;
    if (unsettled.length === 0 || Date.now() > deadline) {
      recovery.unknownMessages += await sweepLedger(later());
      return recovery;
    }
    recovery.rounds += 1;
    for (const id of unsettled) {
      for (const prefix of ["search-", "offer-", "expire-", "accept-by-", "escalate-"]) await runHeldTasks({ idPrefix: `${prefix}${id}` });
    }
    recovery.sweptOutbox += (await sweepOutbox(later())).published;
    recovery.redriven += Object.values(await sweepStalledOrders(later())).reduce((sum, ids) => sum + (ids?.length ?? 0), 0);
    const open = await admin().db.collection("deadLetters").where("status", "==", "open").get();
    if (!open.empty) {
      const replay = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "dead-letters.ts"), "replay", "--all-open"], { cwd: REPO, encoding: "utf8" });
      if (replay.status === 0) recovery.replayed += open.size;
    }
    await pause(3000);
  }
}
