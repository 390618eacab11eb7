/**
 * The Stripe webhook through the Functions emulator, with payloads signed by the stripe SDK's
 * own test-header helper: bad signature, stale timestamp, unknown type, replay, events out of
 * order, and events about another payment than the order's.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import Stripe from "stripe";
import { CALLABLES, CheckoutResponse } from "../../src/contract";
import { admin, functionUrl, signUp, type AppClient } from "../support/emulators";
import { confirmPayment, stockLeft, restaurantWithStock, trattoriaCart } from "../support/checkout";
import { ATTENTION_MESSAGES } from "../../src/orders/attention";

const WEBHOOK_SECRET = "whsec_local_double";
const stripe = new Stripe("sk_test_local_double");
const WEBHOOK_URL = functionUrl("payments-stripeWebhook");

function event(type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  return { id: `evt_${randomUUID().replace(/-/g, "")}`, object: "event", type, created, data: { object } };
}

async function deliver(body: object, options: { secret?: string; timestamp?: number; signature?: string } = {}) {
  const payload = JSON.stringify(body);
  const signature = options.signature ?? stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret ?? WEBHOOK_SECRET, timestamp: options.timestamp });
  const response = await fetch(WEBHOOK_URL, { method: "POST", headers: { "content-type": "application/json", "stripe-signature": signature }, body: payload });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("stripe webhook", () => {
  let app: AppClient;
  let orderId: string;
  let intentId: string;
  let total: number;
  const intent = (status: string, extra: Record<string, unknown> = {}) => ({ id: intentId, object: "payment_intent", status, amount: total, currency: "eur", metadata: { orderId }, ...extra });
  const payment = async () => (await admin().db.doc(`orders/${orderId}`).get()).data()!;

  before(async () => {
    app = await signUp();
    const result = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("card")));
    orderId = result.orderId;
    intentId = result.payment!.paymentIntentClientSecret.split("_secret_")[0];
    total = result.breakdown.total;
  });
  after(() => app.close());

  it("refuses a bad signature and a stale timestamp with 400, changing nothing", async () => {
    const authorized = event("payment_intent.amount_capturable_updated", intent("requires_capture"));
    const forged = await deliver(authorized, { secret: "whsec_somebody_else" });
    assert.equal(forged.status, 400);
    assert.equal((forged.body.error as { details: { reason: string } }).details.reason, "bad-signature");
    const stale = await deliver(authorized, { timestamp: Math.floor(Date.now() / 1000) - 600 });
    assert.equal(stale.status, 400);
    const unsigned = await deliver(authorized, { signature: "t=1,v1=deadbeef" });
    assert.equal(unsigned.status, 400);
    assert.equal((await payment()).payment.status, "requires_action");
  });

  it("acknowledges an event type it does not handle without acting on it", async () => {
    const other = await deliver(event("customer.created", { id: "cus_1", object: "customer" }));
    assert.equal(other.status, 200);
    assert.equal(other.body.handled, false);
  });

  it("places nothing on an authorization for another intent, amount or currency, and flags the order", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(5);
    const own = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, { ...trattoriaCart("card"), restaurantId, lines: [{ itemId, quantity: 1 }] }));
    const ownIntent = own.payment!.paymentIntentClientSecret.split("_secret_")[0];
    const base = { id: ownIntent, object: "payment_intent", status: "requires_capture", amount: own.breakdown.total, currency: "eur", metadata: { orderId: own.orderId } };
    const order = async () => (await admin().db.doc(`orders/${own.orderId}`).get()).data()!;
    const wrong = [
      { ...base, id: intentId }, // a real intent, of another order, naming this order
      { ...base, amount: 1 }, // a cheaper intent
      { ...base, currency: "usd" },
    ];
    for (const object of wrong) {
      const answer = await deliver(event("payment_intent.amount_capturable_updated", object));
      assert.deepEqual([answer.status, answer.body.outcome], [200, "mismatch"], JSON.stringify(object));
      const flagged = await order();
      assert.equal(flagged.status, "awaiting_payment", "not placed");
      assert.equal(flagged.payment.status, "requires_action");
      assert.deepEqual([flagged.attention?.reason, flagged.attention?.message], ["payment-mismatch", ATTENTION_MESSAGES["payment-mismatch"]]);
    }
    assert.equal(await stockLeft(restaurantId, itemId), 4, "still only reserved");
    // The real authorization still places it.
    const { delivered } = await confirmPayment(ownIntent, "authorized");
    assert.equal(delivered, 200);
    assert.equal((await order()).status, "placed");
  });

  it("applies an event once: a replay is acknowledged as a duplicate", async () => {
    const authorized = event("payment_intent.amount_capturable_updated", intent("requires_capture"));
    const first = await deliver(authorized);
    assert.deepEqual([first.status, first.body.outcome], [200, "applied"]);
    const replay = await deliver(authorized);
    assert.deepEqual([replay.status, replay.body.outcome], [200, "duplicate"]);
    const order = await payment();
    assert.equal(order.status, "placed");
    assert.equal(order.payment.status, "authorized");
    assert.equal(order.history.filter((h: { to: string }) => h.to === "placed").length, 1);
  });

  it("never lets an older event overwrite a newer state", async () => {
    const t = Math.floor(Date.now() / 1000);
    const captured = await deliver(event("payment_intent.succeeded", intent("succeeded"), t + 10));
    assert.equal(captured.body.outcome, "applied");
    const late = await deliver(event("payment_intent.payment_failed", intent("requires_payment_method"), t + 5));
    assert.equal(late.body.outcome, "stale");
    assert.equal((await payment()).payment.status, "captured");
  });

  it("records full and partial refunds", async () => {
    const t = Math.floor(Date.now() / 1000) + 20;
    const charge = (refunded: number) => ({ id: "ch_1", object: "charge", amount: 1000, amount_refunded: refunded, payment_intent: intentId, metadata: {} });
    assert.equal((await deliver(event("charge.refunded", charge(400), t))).body.outcome, "applied");
    let order = await payment();
    assert.deepEqual([order.payment.status, order.payment.amountRefunded], ["partially_refunded", 400]);
    assert.equal((await deliver(event("charge.refunded", charge(1000), t + 1))).body.outcome, "applied");
    order = await payment();
    assert.deepEqual([order.payment.status, order.payment.amountRefunded], ["refunded", 1000]);
  });
});
