/**
 * Checkout through the callable, as the app calls it: prices from the catalog, cash and card
 * orders, client idempotency keys (also two identical requests at once), and every bad input
 * refused precisely with no order, charge, stock or promo change.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { doc, getDoc } from "firebase/firestore";
import { orderIdFor } from "../../src/checkout/checkout.service";
import { CALLABLES, CheckoutResponse } from "../../src/contract";
import { callError, admin, signUpWithPhone, waitForDocument, type AppClient } from "../support/emulators";
import { confirmPayment, doubleRequests, ordersOf, restaurantWithStock, SOL, stockLeft, trattoriaCart } from "../support/checkout";

describe("checkout", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  // Cash orders and once-per-customer codes need a phone Firebase Auth verified.
  const customer = async () => {
    const client = await signUpWithPhone();
    clients.push(client);
    return client;
  };
  const paths = (error: { details: Record<string, unknown> }) => ((error.details.fields ?? []) as { path: string }[]).map((f) => f.path);

  it("places a cash order priced from the catalog, readable by its customer", async () => {
    const app = await customer();
    const result = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("cash")));
    assert.equal(result.status, "placed");
    assert.equal(result.payment, null);
    // carbonara 11.00 x2 + margherita large 9.50+3.00; 10% tax; 1.99 delivery; 1.50 tip.
    assert.equal(result.breakdown.subtotal, 2 * 1100 + 1250);
    assert.equal(result.breakdown.total, 3450 + 345 + 199 + 150);
    const order = (await getDoc(doc(app.firestore, `orders/${result.orderId}`))).data()!;
    assert.equal(order.customerUid, app.user.uid);
    assert.deepEqual(order.total, { amount: result.breakdown.total, currency: "EUR" });
  });

  it("starts a card payment with what PaymentSheet needs, and places the order once authorized", async () => {
    const app = await customer();
    const { restaurantId, itemId } = await restaurantWithStock(5);
    const result = CheckoutResponse.parse(
      await app.call(CALLABLES.placeOrder, { ...trattoriaCart("card"), restaurantId, lines: [{ itemId, quantity: 2 }] }),
    );
    assert.equal(result.status, "awaiting_payment");
    assert.match(result.payment!.paymentIntentClientSecret, /^pi_\w+_secret_\w+$/);
    assert.equal(result.payment!.paymentIntentId, result.payment!.paymentIntentClientSecret.split("_secret_")[0], "the answer names its PaymentIntent");
    assert.match(result.payment!.customerId, /^cus_/);
    assert.match(result.payment!.customerEphemeralKeySecret, /^ek_test_/);
    assert.ok(result.payBefore && Date.parse(result.payBefore) > Date.now());
    assert.equal(await stockLeft(restaurantId, itemId), 3, "reserved at checkout");

    const intentId = result.payment!.paymentIntentClientSecret.split("_secret_")[0];
    const intents = (await doubleRequests()).filter((r) => r.path === "/v1/payment_intents" && r.params.metadata?.orderId === result.orderId);
    assert.equal(intents.length, 1);
    assert.equal(intents[0].params.capture_method, "manual");
    assert.equal(intents[0].params.amount, String(result.breakdown.total));
    assert.equal(intents[0].idempotencyKey, `pi-${result.orderId}`);

    const { delivered } = await confirmPayment(intentId, "authorized");
    assert.equal(delivered, 200);
    const order = await waitForDocument(app.firestore, `orders/${result.orderId}`, (d) => d?.status === "placed");
    assert.equal(order.payment.status, "authorized");
    // Held for the order until the restaurant accepts (sold) or the order is given up (returned).
    assert.equal((await admin().db.doc(`stockReservations/${result.orderId}`).get()).get("status"), "reserved");
    assert.equal(await stockLeft(restaurantId, itemId), 3, "still held, not returned");
  });

  it("returns the first result for a repeated key, even for two identical requests at once", async () => {
    const app = await customer();
    const cart = trattoriaCart("card");
    const [first, second] = await Promise.all([app.call(CALLABLES.placeOrder, cart), app.call(CALLABLES.placeOrder, cart)]);
    const third = await app.call(CALLABLES.placeOrder, cart);
    const ids = [first, second, third].map((r) => CheckoutResponse.parse(r).orderId);
    assert.equal(new Set(ids).size, 1);
    assert.equal((await ordersOf(app.user.uid)).length, 1);
    const intents = (await doubleRequests()).filter((r) => r.path === "/v1/payment_intents" && r.params.metadata?.orderId === ids[0]);
    assert.equal(intents.length, 1, "one PaymentIntent");

    const reused = await callError(app.call(CALLABLES.placeOrder, { ...cart, tip: 999 }));
    assert.equal(reused.code, "functions/failed-precondition");
    assert.equal(reused.details.reason, "idempotency-key-reused");
    assert.equal((await ordersOf(app.user.uid)).length, 1);
  });

  it("refuses bad quantities, unknown or foreign items and a negative tip, changing nothing", async () => {
    const app = await customer();
    for (const quantity of [0, -1, 1000, 1.5]) {
      const error = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { lines: [{ itemId: "carbonara", quantity, modifiers: [] }] })));
      assert.equal(error.code, "functions/invalid-argument", `quantity ${quantity}`);
      assert.deepEqual(paths(error), ["lines.0.quantity"]);
    }
    const unknown = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { lines: [{ itemId: "no-such-dish", quantity: 1, modifiers: [] }] })));
    assert.deepEqual([unknown.code, paths(unknown)], ["functions/not-found", ["lines.0.itemId"]]);
    // butter-chicken belongs to another restaurant.
    const foreign = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { lines: [{ itemId: "butter-chicken", quantity: 1, modifiers: [] }] })));
    assert.deepEqual([foreign.code, paths(foreign)], ["functions/not-found", ["lines.0.itemId"]]);
    const tip = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { tip: -100 })));
    assert.deepEqual([tip.code, paths(tip)], ["functions/invalid-argument", ["tip"]]);
    assert.equal((await ordersOf(app.user.uid)).length, 0);
  });

  it("refuses an absurd tip, one item spread over lines past its cap and an oversized total, changing nothing", async () => {
    const app = await customer();
    const { restaurantId, itemId } = await restaurantWithStock(100);
    const cart = (extra: Record<string, unknown>): Record<string, unknown> => ({ ...trattoriaCart("card"), restaurantId, lines: [{ itemId, quantity: 2 }], ...extra });
    // Stripe is told no uid (metadata carries only the order id): look for intents of the orders
    // these attempts would have made (other files' checkouts run beside this one).
    const attempts = [cart({ tip: 100_000_000 }), cart({ lines: [{ itemId, quantity: 30 }, { itemId, quantity: 30 }] }), cart({ tip: 0 })];
    const wouldBeOrders = new Set(attempts.map((a) => orderIdFor(`checkout:${app.user.uid}`, a.idempotencyKey as string)));
    const intentRequests = async () => (await doubleRequests()).filter((r) => r.path === "/v1/payment_intents" && wouldBeOrders.has(r.params.metadata?.orderId ?? "")).length;

    const tip = await callError(app.call(CALLABLES.placeOrder, attempts[0]));
    assert.deepEqual([tip.code, paths(tip)], ["functions/invalid-argument", ["tip"]]);
    const spread = await callError(app.call(CALLABLES.placeOrder, attempts[1]));
    assert.deepEqual([spread.code, paths(spread)], ["functions/invalid-argument", ["lines.1.quantity"]]);
    await admin().db.doc(`restaurants/${restaurantId}/items/${itemId}`).update({ "price.amount": 600_000 });
    const total = await callError(app.call(CALLABLES.placeOrder, attempts[2]));
    assert.deepEqual([total.code, total.details.reason], ["functions/failed-precondition", "order-total-too-high"]);

    assert.equal((await ordersOf(app.user.uid)).length, 0);
    assert.equal(await stockLeft(restaurantId, itemId), 100, "nothing reserved");
    assert.equal(await intentRequests(), 0, "no PaymentIntent");
  });

  it("refuses an unavailable item, a closed restaurant and an address out of range, changing nothing", async () => {
    const app = await customer();
    const unavailable = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { lines: [{ itemId: "panna-cotta", quantity: 1, modifiers: [] }] })));
    assert.deepEqual([unavailable.code, unavailable.details.reason], ["functions/failed-precondition", "item-unavailable"]);
    const closed = await restaurantWithStock(3, { open: false });
    const closedError = await callError(app.call(CALLABLES.placeOrder, { ...trattoriaCart("cash"), restaurantId: closed.restaurantId, lines: [{ itemId: closed.itemId, quantity: 1 }] }));
    assert.equal(closedError.details.reason, "restaurant-closed");
    assert.equal(await stockLeft(closed.restaurantId, closed.itemId), 3);
    const away = { ...SOL, location: { lat: 40.5, lng: -3.7 } };
    const outside = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { deliveryAddress: away })));
    assert.deepEqual([outside.details.reason, paths(outside)], ["outside-delivery-area", ["deliveryAddress.location"]]);
    assert.equal((await ordersOf(app.user.uid)).length, 0);
  });

  it("applies a promo once per customer and refuses expired, exhausted or reused codes", async () => {
    const app = await customer();
    const ok = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "welcome10" })));
    assert.equal(ok.breakdown.discount, Math.floor(ok.breakdown.subtotal / 10));
    const again = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "WELCOME10" })));
    assert.deepEqual([again.details.reason, paths(again)], ["promo-already-used", ["promoCode"]]);
    const expired = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "OLDCODE" })));
    assert.equal(expired.details.reason, "promo-expired");
    const unknown = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "NOPE123" })));
    assert.equal(unknown.code, "functions/not-found");
    assert.equal((await ordersOf(app.user.uid)).length, 1);

    // FIVEOFF has 3 uses in all: the fourth customer finds it used up.
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const other = await customer();
      const big = trattoriaCart("cash", { promoCode: "FIVEOFF", lines: [{ itemId: "lasagna", quantity: 2, modifiers: [] }] });
      outcomes.push(await other.call(CALLABLES.placeOrder, big).then(() => "ok", (e: { details?: { reason?: string } }) => e.details?.reason ?? "?"));
    }
    assert.deepEqual(outcomes, ["ok", "ok", "ok", "promo-exhausted"]);
  });

  it("keeps a declined card's order waiting for another card, its stock still reserved", async () => {
    const app = await customer();
    const { restaurantId, itemId } = await restaurantWithStock(2);
    const result = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, { ...trattoriaCart("card"), restaurantId, lines: [{ itemId, quantity: 1 }] }));
    const intentId = result.payment!.paymentIntentClientSecret.split("_secret_")[0];
    assert.equal((await confirmPayment(intentId, "declined")).delivered, 200);
    const order = await waitForDocument(app.firestore, `orders/${result.orderId}`, (d) => d?.payment?.status === "failed");
    assert.equal(order.status, "awaiting_payment");
    assert.equal(order.payment.failureCode, "insufficient_funds");
    assert.equal((await admin().db.doc(`stockReservations/${result.orderId}`).get()).get("status"), "reserved");
    // A second card goes through.
    await confirmPayment(intentId, "authorized");
    await waitForDocument(app.firestore, `orders/${result.orderId}`, (d) => d?.status === "placed");
  });

  it("names the idempotency key field when it is malformed", async () => {
    const app = await customer();
    const error = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash", { idempotencyKey: "x" })));
    assert.deepEqual(paths(error), ["idempotencyKey"]);
    assert.equal((await ordersOf(app.user.uid)).length, 0);
  });
});
