/**
 * Every point of the fault plan, one at a time: a whole order journey with that point failing
 * (or, for calls to the outside, succeeding with its answer lost), then recovery as operations
 * run it, then the invariant auditor over that order. Nothing may be lost or done twice.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, it } from "node:test";
import { auditInvariants } from "../../src/audit/invariants";
import { stripeClient } from "../../src/payments/stripe.gateway";
import { admin, signInWithRole } from "../support/emulators";
import { clearFaultPlan, faultReport, setFaultPlan, type FaultRule } from "../support/faults";
import { journey, recover, type Ending } from "../support/journey";
import { courierAt, eventually, kitchen } from "../support/workflow";
import { STRIPE_DOUBLE } from "../support/checkout";

interface Case {
  rule: FaultRule;
  payment: "card" | "cash";
  ending: Ending;
}

const once = (point: string, mode: FaultRule["mode"] = "fail"): FaultRule => ({ point, mode, times: 1 });

const CASES: Case[] = [
  { rule: once("checkout.after-commit"), payment: "card", ending: "delivered" },
  { rule: once("stripe.authorize"), payment: "card", ending: "delivered" },
  { rule: once("stripe.authorize", "lose"), payment: "card", ending: "delivered" },
  { rule: once("pubsub.publish:orders.v1.events"), payment: "card", ending: "delivered" },
  { rule: once("tasks.enqueue:checkout-expireUnpaidOrder"), payment: "card", ending: "delivered" },
  { rule: once("tasks.enqueue:orders-enforceAcceptanceDeadline"), payment: "cash", ending: "delivered" },
  { rule: once("tasks.enqueue:payments-settlePayment"), payment: "card", ending: "delivered" },
  { rule: once("stripe.capture"), payment: "card", ending: "delivered" },
  { rule: once("stripe.capture", "lose"), payment: "card", ending: "delivered" },
  { rule: once("settlement.after-provider"), payment: "card", ending: "delivered" },
  { rule: once("tasks.enqueue:dispatch-escalateDispatch"), payment: "cash", ending: "delivered" },
  { rule: once("dispatch.after-start"), payment: "cash", ending: "delivered" },
  { rule: once("tasks.enqueue:dispatch-expireCourierOffer"), payment: "cash", ending: "delivered" },
  { rule: once("tasks.enqueue:notifications-deliver"), payment: "cash", ending: "delivered" },
  { rule: once("notifications.after-claim"), payment: "cash", ending: "delivered" },
  { rule: once("fcm.send"), payment: "cash", ending: "delivered" },
  { rule: once("fcm.send", "lose"), payment: "cash", ending: "delivered" },
  { rule: once("stripe.cancel"), payment: "card", ending: "rejected" },
  { rule: once("stripe.cancel", "lose"), payment: "card", ending: "cancelled-before-acceptance" },
  { rule: once("stripe.refund"), payment: "card", ending: "cancelled-after-acceptance" },
  { rule: once("stripe.refund", "lose"), payment: "card", ending: "cancelled-after-acceptance" },
];

/** Where each journey ends, for a card order; cash orders end the same but never `refunded`. */
const FINAL_STATUS: Record<Ending, string> = {
  delivered: "delivered",
  rejected: "rejected",
  "cancelled-before-acceptance": "cancelled",
  "cancelled-after-acceptance": "refunded",
};
const FINAL_PAYMENT: Record<Ending, string> = {
  delivered: "captured",
  rejected: "canceled",
  "cancelled-before-acceptance": "canceled",
  "cancelled-after-acceptance": "refunded",
};

describe("every fault point, recovered, keeps the invariants", () => {
  const clients: { close(): Promise<void> }[] = [];
  afterEach(clearFaultPlan);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  for (const { rule, payment, ending } of CASES) {
    it(`${rule.point} (${rule.mode}): a ${payment} order ${ending}`, async () => {
      const k = await kitchen();
      const courier = await courierAt(k.location);
      const operator = await signInWithRole("admin");
      clients.push(k.staff, k.customer, courier, operator);
      await clearFaultPlan();
      await setFaultPlan([rule]);

      const run = await journey(k, courier, operator, payment, ending);
      assert.ok(run.orderId, `no order was made: ${run.stuck}`);
      assert.equal(run.stuck, undefined, "the journey went through with the people's own retries");
      // The plan stays: the point may come after the journey (a capture, a refund), and its rule
      // injects once only.
      const recovery = await recover([run.orderId]);
      // A point on the notification path may be reached seconds after the order settled: under
      // load the deliver queue lags behind the workflow.
      const injected = await eventually(`the point ${rule.point} to be reached and fail`, async () =>
        Object.keys((await faultReport()).injections).filter((key) => key.startsWith(rule.point)).length,
      );
      assert.ok(injected > 0, `the point ${rule.point} was reached and failed`);
      assert.deepEqual(recovery.unsettled, [], "the order settled");
      const report = await auditInvariants(admin().db, {
        scope: { restaurantIds: [k.restaurantId], orderIds: [run.orderId] },
        stripe: stripeClient("sk_test_local_double", STRIPE_DOUBLE),
        // Dead letters, sweeps and other tests' data are outside this order's story.
        only: ["stock-conservation", "one-order-per-key", "payments", "orders-followed-up", "no-stuck-sending"],
      });
      assert.deepEqual(report.violations, []);
      const final = (await admin().db.doc(`orders/${run.orderId}`).get()).data()!;
      assert.equal(final.status, FINAL_STATUS[ending]);
      if (payment === "card") assert.equal(final.payment.status, FINAL_PAYMENT[ending]);
    });
  }
});
