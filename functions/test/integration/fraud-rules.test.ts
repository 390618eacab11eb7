/**
 * Fraud rules on the emulators: each rule trips above its limit and not at it; a refused checkout
 * keeps nothing (no order, no stock, no payment, no idempotency key); a held order is neither
 * charged nor shown to the restaurant until an admin approves it, and proceeds then; a rejected
 * one gives its stock back; every decision is recorded with its rule, value and limit; failed
 * payments are counted per account and per card where the webhook records them.
 *
 * Limits come from functions/.env.local. Where a limit is high (shared fixtures would reach it),
 * the test preloads the counter of a key of its own (its own account, card, address or device),
 * as the SMS tests do: it never counts or changes another file's data.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES, CheckoutResponse, ListHeldOrdersResponse, ReviewHeldOrderResponse, type CheckoutRequest, type RiskRuleId } from "../../src/contract";
import { checkout, orderIdFor } from "../../src/checkout/checkout.service";
import { addressKey } from "../../src/risk/checkout-risk.service";
import { listHeldOrders, reviewHeldOrder } from "../../src/risk/review.service";
import { hourOf, hourRef, seriesRef } from "../../src/risk/counters";
import type { RiskCounter } from "../../src/risk/rules";
import { idempotencyKeyId } from "../../src/shared/idempotency-keys";
import { DomainError } from "../../src/shared/errors";
import { keyedHash } from "../../src/shared/pseudonym";
import { admin, callError, signInWithRole, signUp, type AppClient } from "../support/emulators";
import { confirmPayment, customerCaller, doubleRequests, ordersOf, restaurantWithStock, SOL, stockLeft } from "../support/checkout";
import { eventually } from "../support/workflow";

/** functions/.env.local. */
const LIMITS = { failedPerUser: 5, failedPerCard: 100000, perAddress: 100000, perDevice: 10, newAccountOrders: 50, newAccountTotal: 50000 };

type Caller = ReturnType<typeof customerCaller>;

/** An address no other test delivers to. */
const ownAddress = () => ({ ...SOL, line1: `Calle de la Prueba ${randomUUID().slice(0, 8)}` });

function request(kitchen: { restaurantId: string; itemId: string }, extra: Partial<CheckoutRequest> = {}): CheckoutRequest {
  return { restaurantId: kitchen.restaurantId, lines: [{ itemId: kitchen.itemId, quantity: 1, modifiers: [] }], deliveryAddress: SOL, tip: 0, paymentMethod: "card", idempotencyKey: randomUUID(), ...extra };
}

const place = (req: CheckoutRequest, caller: Caller) => checkout.run(req, { ...caller, correlationId: randomUUID() });

/** As the app does when told to try again in a moment: the same request, the same key. */
async function placeRetrying(req: CheckoutRequest, caller: Caller) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await place(req, caller);
    } catch (error) {
      const busy = error instanceof DomainError && (error.extra.reason === "checkout-contended" || error.extra.reason === "item-busy");
      if (!busy || attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, (error.extra.retryAfterSeconds ?? 1) * 1000));
    }
  }
}

/** An admin as the callables' gateway hands one to the review service. */
const adminCaller = () => ({ uid: `admin-${randomUUID()}`, role: "admin" as const, claims: { role: "admin" }, correlationId: randomUUID() });

/** Sets a counter's current hour for a key of this test's own, as if `count` events had happened. */
async function preload(counter: RiskCounter, keyHash: string, count: number, extra: Record<string, unknown> = {}) {
  const hour = hourOf(Date.now());
  await hourRef(seriesRef(counter, keyHash), hour).set({ hour, count, ...extra });
}

async function decisionOf(id: string) {
  const snapshot = await admin().db.doc(`riskDecisions/${id}`).get();
  assert.ok(snapshot.exists, `decision ${id} recorded`);
  return snapshot.data()!;
}

const checkOf = (decision: FirebaseFirestore.DocumentData, rule: RiskRuleId) =>
  (decision.checks as { rule: string; value: number; limit: number; tripped: boolean; action: string }[]).find((c) => c.rule === rule);

const reasonOf = (error: unknown) => (error instanceof DomainError ? `${error.code}/${error.extra.reason}` : String(error));

describe("fraud rules", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));

  /** The held order's entry in the review queue, paging through it; undefined when absent. */
  async function heldInQueue(orderId: string) {
    let startAfter: string | undefined;
    for (;;) {
      const page = await listHeldOrders.run({ limit: 100, startAfter }, adminCaller());
      const found = page.orders.find((o) => o.orderId === orderId);
      if (found || !page.nextStartAfter) return found;
      startAfter = page.nextStartAfter;
    }
  }

  // First: signing in goes through blocking functions, slow once this file's orders keep the workers busy.
  it("serves the review callables to admins only, naming a bad field", async () => {
    const reviewer = await signInWithRole("admin");
    const customer = await signUp();
    clients.push(reviewer, customer);
    const page = ListHeldOrdersResponse.parse(await reviewer.call(CALLABLES.listHeldOrders, { limit: 1 }));
    assert.ok(page.orders.length <= 1);
    const bad = await callError(reviewer.call(CALLABLES.reviewHeldOrder, { orderId: "some-order", verdict: "maybe" }));
    assert.deepEqual([bad.code, bad.details.reason, (bad.details.fields as { path: string }[]).map((f) => f.path)], ["functions/invalid-argument", "invalid-request", ["verdict"]]);
    const denied = await callError(customer.call(CALLABLES.listHeldOrders, {}));
    assert.deepEqual([denied.code, denied.details.reason], ["functions/permission-denied", "role-required"]);
  });

  it("holds the order that takes an address past its limit, not the one that reaches it", async () => {
    const kitchen = await restaurantWithStock(10);
    const address = ownAddress();
    await preload("ordersByAddress", keyedHash("address", addressKey(address)), LIMITS.perAddress - 1);
    const reaching = await place(request(kitchen, { deliveryAddress: address }), customerCaller());
    assert.equal(reaching.status, "awaiting_payment");
    const allowed = await decisionOf(`checkout-${reaching.orderId}`);
    assert.deepEqual([allowed.decision, checkOf(allowed, "orders-per-address")], ["allow", { rule: "orders-per-address", value: LIMITS.perAddress, limit: LIMITS.perAddress, action: "hold", tripped: false }]);

    // Another account, a different flat and spelling of the same street: the same address.
    const passing = await place(request(kitchen, { deliveryAddress: { ...address, line1: address.line1.toUpperCase() + ".", line2: "3º B" } }), customerCaller());
    assert.equal(passing.status, "held");
    const held = await decisionOf(`checkout-${passing.orderId}`);
    assert.deepEqual([held.decision, held.tripped, checkOf(held, "orders-per-address")?.value], ["hold", ["orders-per-address"], LIMITS.perAddress + 1]);
    assert.ok(!JSON.stringify(held).includes(address.line1), "the decision names no address");
  });

  it("holds the order that takes a device past its limit, not the one that reaches it", async () => {
    const kitchen = await restaurantWithStock(10);
    const deviceId = `device-${randomUUID()}`;
    await preload("ordersByDevice", keyedHash("device", deviceId), LIMITS.perDevice - 1);
    assert.equal((await place(request(kitchen, { deviceId }), customerCaller())).status, "awaiting_payment");
    const passing = await place(request(kitchen, { deviceId }), customerCaller());
    assert.equal(passing.status, "held");
    assert.deepEqual(checkOf(await decisionOf(`checkout-${passing.orderId}`), "orders-per-device"), { rule: "orders-per-device", value: LIMITS.perDevice + 1, limit: LIMITS.perDevice, action: "hold", tripped: true });
    // Without a device id the rule has nothing to count, and is not judged.
    const without = await place(request(kitchen), customerCaller());
    assert.equal(checkOf(await decisionOf(`checkout-${without.orderId}`), "orders-per-device"), undefined);
  });

  it("holds a new account's order past its order count, and one above its amount, not at them", async () => {
    const kitchen = await restaurantWithStock(200);
    const caller = customerCaller("new-account");
    await preload("ordersByNewAccount", keyedHash("uid", caller.uid), LIMITS.newAccountOrders - 1);
    const reaching = await place(request(kitchen), caller);
    assert.equal(reaching.status, "awaiting_payment");
    const passing = await place(request(kitchen), caller);
    assert.equal(passing.status, "held");
    assert.deepEqual(checkOf(await decisionOf(`checkout-${passing.orderId}`), "new-account-orders"), { rule: "new-account-orders", value: LIMITS.newAccountOrders + 1, limit: LIMITS.newAccountOrders, action: "hold", tripped: true });

    // Amount: a tip brings the total to the limit exactly, then one cent over it.
    const other = customerCaller("new-account");
    const base = await place(request(kitchen, { lines: [{ itemId: kitchen.itemId, quantity: 45, modifiers: [] }] }), other);
    const tip = LIMITS.newAccountTotal - base.breakdown.total;
    assert.ok(tip > 0 && base.status === "awaiting_payment", `a base total under the limit (${base.breakdown.total})`);
    const atLimit = await place(request(kitchen, { lines: [{ itemId: kitchen.itemId, quantity: 45, modifiers: [] }], tip }), other);
    assert.deepEqual([atLimit.breakdown.total, atLimit.status], [LIMITS.newAccountTotal, "awaiting_payment"]);
    const over = await place(request(kitchen, { lines: [{ itemId: kitchen.itemId, quantity: 45, modifiers: [] }], tip: tip + 1 }), other);
    assert.deepEqual([over.breakdown.total, over.status], [LIMITS.newAccountTotal + 1, "held"]);
    const decision = await decisionOf(`checkout-${over.orderId}`);
    assert.deepEqual([decision.tripped, checkOf(decision, "new-account-total")?.value], [["new-account-total"], LIMITS.newAccountTotal + 1]);
  });

  it("refuses an account past its failed payments, keeping nothing, and not one at the limit", async () => {
    const kitchen = await restaurantWithStock(5);
    const caller = customerCaller("declined");
    const user = keyedHash("uid", caller.uid);
    await preload("failedPaymentsByUser", user, LIMITS.failedPerUser);
    assert.equal((await place(request(kitchen), caller)).status, "awaiting_payment");
    assert.equal(await stockLeft(kitchen.restaurantId, kitchen.itemId), 4);

    await preload("failedPaymentsByUser", user, LIMITS.failedPerUser + 1);
    const refusedRequest = request(kitchen);
    const error = await place(refusedRequest, caller).then(() => "placed", reasonOf);
    assert.equal(error, "permission-denied/risk-review");
    // Nothing kept: no second order, no stock taken, no payment started, the key free again.
    const orderId = orderIdFor(`checkout:${caller.uid}`, refusedRequest.idempotencyKey);
    assert.equal((await ordersOf(caller.uid)).length, 1);
    assert.equal((await admin().db.doc(`orders/${orderId}`).get()).exists, false);
    assert.equal(await stockLeft(kitchen.restaurantId, kitchen.itemId), 4);
    assert.equal((await doubleRequests()).filter((r) => r.params.metadata?.orderId === orderId).length, 0, "no PaymentIntent");
    assert.equal((await admin().db.doc(`idempotencyKeys/${idempotencyKeyId(`checkout:${caller.uid}`, refusedRequest.idempotencyKey)}`).get()).exists, false);
    // The refusal is on record, with its rule, value and limit, and names the account only by keyed hash.
    const refusals = await admin().db.collection("riskDecisions").where("subject", "==", user).where("decision", "==", "refuse").get();
    assert.equal(refusals.size, 1);
    const refusal = refusals.docs[0].data();
    assert.deepEqual([refusal.orderId, refusal.tripped, checkOf(refusal, "failed-payments-per-user")], [null, ["failed-payments-per-user"], { rule: "failed-payments-per-user", value: LIMITS.failedPerUser + 1, limit: LIMITS.failedPerUser, action: "refuse", tripped: true }]);
    assert.ok(!JSON.stringify(refusal).includes(caller.uid));
  });

  it("refuses an account whose failed card is past its failures on any account", async () => {
    const kitchen = await restaurantWithStock(5);
    const caller = customerCaller("card-tester");
    const card = keyedHash("card", `fp-${randomUUID()}`);
    // One failure on this account, with a card that failed on many.
    await preload("failedPaymentsByUser", keyedHash("uid", caller.uid), 1, { cards: [card] });
    await preload("failedPaymentsByCard", card, LIMITS.failedPerCard);
    assert.equal((await place(request(kitchen), caller)).status, "awaiting_payment");
    await preload("failedPaymentsByCard", card, LIMITS.failedPerCard + 1);
    assert.equal(await place(request(kitchen), caller).then(() => "placed", reasonOf), "permission-denied/risk-review");
    assert.equal((await ordersOf(caller.uid)).length, 1);
  });

  it("counts tight: of five simultaneous checkouts to an address two short of its limit, two go through", async () => {
    // A restaurant each: the checkouts contend on the address's counter only.
    const kitchens = await Promise.all(Array.from({ length: 5 }, () => restaurantWithStock(1)));
    const address = ownAddress();
    const key = keyedHash("address", addressKey(address));
    await preload("ordersByAddress", key, LIMITS.perAddress - 2);
    const results = await Promise.all(kitchens.map((kitchen) => placeRetrying(request(kitchen, { deliveryAddress: address }), customerCaller("neighbour"))));
    assert.deepEqual(results.map((r) => r.status).sort(), ["awaiting_payment", "awaiting_payment", "held", "held", "held"]);
    const hour = await hourRef(seriesRef("ordersByAddress", key), hourOf(Date.now())).get();
    assert.equal(hour.get("count"), LIMITS.perAddress + 3, "every order counted once");
  });

  it("keeps a held card order from payment and the restaurant until approved, then it proceeds", async () => {
    const kitchen = await restaurantWithStock(5);
    const address = ownAddress();
    await preload("ordersByAddress", keyedHash("address", addressKey(address)), LIMITS.perAddress);
    const caller = customerCaller("held-card");
    const req = request(kitchen, { deliveryAddress: address });
    const held = CheckoutResponse.parse(await place(req, caller));
    assert.deepEqual([held.status, held.payment, held.payBefore], ["held", null, null]);
    assert.equal(await stockLeft(kitchen.restaurantId, kitchen.itemId), 4, "its stock is reserved");
    assert.equal((await doubleRequests()).filter((r) => r.params.metadata?.orderId === held.orderId).length, 0, "no PaymentIntent");
    // The same key again answers the same: still held.
    assert.equal((await place(req, caller)).status, "held");
    const board = await admin().db.doc(`restaurantBoards/${kitchen.restaurantId}/openOrders/${held.orderId}`).get();
    assert.equal(board.exists, false, "the restaurant does not see it");

    // The queue shows it with the rule that held it.
    const reviewer = adminCaller();
    const listed = await heldInQueue(held.orderId);
    assert.deepEqual(listed?.rules.map((r) => [r.rule, r.value, r.limit]), [["orders-per-address", LIMITS.perAddress + 1, LIMITS.perAddress]]);

    const approved = ReviewHeldOrderResponse.parse(await reviewHeldOrder.run({ orderId: held.orderId, verdict: "approve", note: "Regular customer, office address." }, reviewer));
    assert.deepEqual([approved.status, approved.decisionId], ["awaiting_payment", `review-${held.orderId}`]);
    const order = (await admin().db.doc(`orders/${held.orderId}`).get()).data()!;
    assert.ok(order.payBefore, "the payment window starts at approval");
    const verdict = await decisionOf(approved.decisionId);
    assert.deepEqual([verdict.decision, verdict.actorUid, verdict.tripped], ["approve", reviewer.uid, ["orders-per-address"]]);
    const audit = await admin().db.collection("auditLog").where("orderId", "==", held.orderId).get();
    assert.deepEqual(audit.docs.map((d) => [d.get("action"), d.get("actorUid"), d.get("note")]), [["order.risk-approve", reviewer.uid, "Regular customer, office address."]]);
    assert.equal(await heldInQueue(held.orderId), undefined, "it has left the queue");

    // The app checks out again with its key: now it gets the payment sheet, and pays.
    const resumed = CheckoutResponse.parse(await place(req, caller));
    assert.equal(resumed.status, "awaiting_payment");
    assert.ok(resumed.payment, "a payment sheet");
    await confirmPayment(resumed.payment.paymentIntentId, "authorized");
    await eventually("the approved order placed", async () => (await admin().db.doc(`orders/${held.orderId}`).get()).get("status") === "placed");
  });

  it("rejects a held cash order: cancelled, its stock given back, the verdict recorded", async () => {
    const kitchen = await restaurantWithStock(5);
    const deviceId = `device-${randomUUID()}`;
    await preload("ordersByDevice", keyedHash("device", deviceId), LIMITS.perDevice);
    const held = await place(request(kitchen, { deviceId, paymentMethod: "cash" }), customerCaller("held-cash"));
    assert.equal(held.status, "held");
    assert.equal((await admin().db.doc(`orders/${held.orderId}`).get()).get("acceptBy"), null, "no acceptance clock");
    assert.equal(await stockLeft(kitchen.restaurantId, kitchen.itemId), 4);

    const rejected = ReviewHeldOrderResponse.parse(await reviewHeldOrder.run({ orderId: held.orderId, verdict: "reject" }, adminCaller()));
    assert.equal(rejected.status, "cancelled");
    const order = (await admin().db.doc(`orders/${held.orderId}`).get()).data()!;
    assert.deepEqual(order.cancellation, { by: "admin", reason: "suspected-fraud" });
    await eventually("the stock given back", async () => (await stockLeft(kitchen.restaurantId, kitchen.itemId)) === 5);
    assert.equal((await decisionOf(rejected.decisionId)).decision, "reject");

    // A verdict is given once: the order is no longer held.
    const again = await reviewHeldOrder.run({ orderId: held.orderId, verdict: "approve" }, adminCaller()).then(() => "reviewed", reasonOf);
    assert.equal(again, "failed-precondition/invalid-transition");
  });

  it("counts a declined payment against the account and the card, as keyed hashes", async () => {
    const kitchen = await restaurantWithStock(5);
    const caller = customerCaller("decliner");
    const paymentMethod = `pm_card_${randomUUID().slice(0, 8)}`;
    const started = await place(request(kitchen), caller);
    await confirmPayment(started.payment!.paymentIntentId, "declined", paymentMethod);
    // The double's card fingerprint for a payment method id (scripts/dev/stripe-double.ts).
    const card = keyedHash("card", createHash("sha256").update(paymentMethod).digest("hex").slice(0, 16));
    const user = await eventually("the failure counted", async () => {
      const hours = await seriesRef("failedPaymentsByUser", keyedHash("uid", caller.uid)).collection("hours").get();
      return hours.docs[0]?.data();
    });
    assert.deepEqual([user.count, user.cards], [1, [card]]);
    const cardHours = await seriesRef("failedPaymentsByCard", card).collection("hours").get();
    assert.deepEqual(cardHours.docs.map((d) => d.get("count")), [1]);
  });
});
