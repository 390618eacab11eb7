/**
 * The payment port's adapters: Stripe through the real SDK against the local Stripe double
 * (idempotency keys, manual capture, cancel, partial and full refunds, Stripe failing), and
 * cash on delivery.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, describe, it } from "node:test";
import { cashGateway } from "../../src/payments/gateway";
import { stripe, stripeGateway } from "../../src/payments/stripe.gateway";
import { DomainError } from "../../src/shared/errors";
import { confirmPayment, doubleRequests, STRIPE_DOUBLE } from "../support/checkout";

async function failNext(method: string, path: string, status: number, count: number) {
  await fetch(`${STRIPE_DOUBLE}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method, path, status, count }) });
}

describe("payment gateways", () => {
  before(() => {
    process.env.STRIPE_SECRET_KEY ??= "sk_test_local_double";
    process.env.STRIPE_API_URL ??= STRIPE_DOUBLE;
  });

  const authorize = (orderId = randomUUID(), uid = `u-${randomUUID()}`) =>
    stripeGateway.authorize({ orderId, uid, amount: 2500, currency: "EUR" }).then((a) => ({ ...a, orderId, uid }));

  it("authorizes with one Stripe customer per user, made once even when asked twice at once", async () => {
    const uid = `u-${randomUUID()}`;
    const [a, b] = await Promise.all([authorize(randomUUID(), uid), authorize(randomUUID(), uid)]);
    assert.equal(a.sheet!.customerId, b.sheet!.customerId);
    const customers = (await doubleRequests()).filter((r) => r.path === "/v1/customers" && r.idempotencyKey === `customer-${uid}`);
    assert.ok(customers.length >= 1);
    const again = await stripeGateway.authorize({ orderId: a.orderId, uid, amount: 2500, currency: "EUR" });
    assert.equal(again.intentId, a.intentId, "the same order gets the same PaymentIntent");
  });

  it("captures an authorized payment once, however often asked", async () => {
    const a = await authorize();
    await confirmPayment(a.intentId!, "authorized");
    await stripeGateway.capture(a.orderId, a.intentId, 2500);
    await stripeGateway.capture(a.orderId, a.intentId, 2500);
    const intent = await stripe().paymentIntents.retrieve(a.intentId!);
    assert.equal(intent.status, "succeeded");
    assert.equal(intent.amount_received, 2500);
  });

  it("cancels an authorization, and cancelling again is harmless", async () => {
    const a = await authorize();
    await stripeGateway.cancel(a.orderId, a.intentId);
    await stripeGateway.cancel(`${a.orderId}-again`, a.intentId);
    assert.equal((await stripe().paymentIntents.retrieve(a.intentId!)).status, "canceled");
  });

  it("refunds part, then the rest, each once", async () => {
    const a = await authorize();
    await confirmPayment(a.intentId!, "authorized");
    await stripeGateway.capture(a.orderId, a.intentId, 2500);
    await stripeGateway.refund(a.orderId, a.intentId, 1000);
    await stripeGateway.refund(a.orderId, a.intentId, 1000);
    await stripeGateway.refund(a.orderId, a.intentId);
    const refunds = (await doubleRequests()).filter((r) => r.path === "/v1/refunds" && r.params.payment_intent === a.intentId);
    assert.deepEqual(refunds.map((r) => r.idempotencyKey), [`refund-${a.orderId}-1000`, `refund-${a.orderId}-1000`, `refund-${a.orderId}-full`]);
  });

  it("turns Stripe being down into a retryable unavailable, after the Stripe policy's one retry", async () => {
    await failNext("POST", "^/v1/payment_intents$", 503, 2);
    await assert.rejects(authorize(), (e: unknown) => e instanceof DomainError && e.code === "unavailable" && e.extra.reason === "payments-unavailable" && e.extra.availablePaymentMethods?.[0] === "cash");
    await failNext("POST", "^/v1/payment_intents$", 503, 1);
    const recovered = await authorize();
    assert.match(recovered.intentId!, /^pi_/, "one failure is absorbed by the policy's retry (same idempotency key)");
    const creates = (await doubleRequests()).filter((r) => r.path === "/v1/payment_intents" && r.idempotencyKey === `pi-${recovered.orderId}`);
    assert.equal(creates.length, 2, "the failed create and its retry, under one idempotency key");
  });

  it("cash needs no authorization and has nothing to capture", async () => {
    const a = await cashGateway.authorize({ orderId: "o", uid: "u", amount: 100, currency: "EUR" });
    assert.deepEqual(a, { provider: "cash", intentId: null, status: "authorized", sheet: null });
  });
});
