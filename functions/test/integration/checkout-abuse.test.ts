/**
 * Checkout against cheap accounts: a per-customer promo code is tied to the phone Firebase Auth
 * verified (and, for cards, to the card), and cash orders need a verified phone and are capped
 * per account, also when ten checkouts of one account race.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES, CheckoutResponse } from "../../src/contract";
import { checkout } from "../../src/checkout/checkout.service";
import { settlePayment } from "../../src/payments/settlement.service";
import type { CheckoutRequest } from "../../src/contract/checkout";
import { DomainError } from "../../src/shared/errors";
import { admin, callError, signUp, signUpWithPhone, verifyPhone, waitForDocument, type AppClient } from "../support/emulators";
import { confirmPayment, customerCaller, doubleRequests, ordersOf, restaurantWithStock, SOL, stockLeft, trattoriaCart } from "../support/checkout";

describe("checkout against cheap accounts", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = (client: AppClient) => (clients.push(client), client);
  const paths = (error: { details: Record<string, unknown> }) => ((error.details.fields ?? []) as { path: string }[]).map((f) => f.path);
  const reasonOf = (e: unknown) => (e instanceof DomainError ? e.extra.reason : String(e));

  it("needs a verified phone for a once-per-customer code, and counts the phone across accounts", async () => {
    const unverified = track(await signUp());
    const refused = await callError(unverified.call(CALLABLES.placeOrder, trattoriaCart("card", { promoCode: "WELCOME10" })));
    assert.deepEqual([refused.code, refused.details.reason, paths(refused)], ["functions/failed-precondition", "verified-phone-required", ["promoCode"]]);
    assert.equal((await ordersOf(unverified.user.uid)).length, 0);

    const first = track(await signUp());
    const phone = await verifyPhone(first);
    const used = CheckoutResponse.parse(await first.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "WELCOME10" })));
    assert.ok(used.breakdown.discount > 0);
    // What the use left behind names nobody: keyed pseudonyms and the order id only.
    const redemption = (await admin().db.doc(`promoRedemptions/${used.orderId}`).get()).data()!;
    const uses = (await admin().db.collection("promotions/WELCOME10/uses").get()).docs;
    const stored = JSON.stringify([redemption, uses.map((d) => [d.id, d.data()])]);
    assert.ok(!stored.includes(first.user.uid) && !stored.includes(phone) && !stored.includes(phone.slice(1)), "no raw uid or phone in the usage records");

    // The same number on a brand-new account (the old one deleted): the code is spent.
    await admin().auth.deleteUser(first.user.uid);
    const second = track(await signUp());
    await verifyPhone(second, phone);
    const again = await callError(second.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "WELCOME10" })));
    assert.deepEqual([again.details.reason, paths(again)], ["promo-already-used", ["promoCode"]]);
    assert.equal((await ordersOf(second.user.uid)).length, 0);
  });

  it("takes cash only from a verified phone, and at most two open cash orders per account", async () => {
    const app = track(await signUp());
    const unverified = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash")));
    assert.deepEqual([unverified.code, unverified.details.reason, paths(unverified)], ["functions/failed-precondition", "verified-phone-required", ["paymentMethod"]]);
    assert.equal((await ordersOf(app.user.uid)).length, 0);

    await verifyPhone(app);
    const [one] = [CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("cash"))), await app.call(CALLABLES.placeOrder, trattoriaCart("cash"))];
    const third = await callError(app.call(CALLABLES.placeOrder, trattoriaCart("cash")));
    assert.deepEqual([third.code, third.details.reason, paths(third)], ["functions/failed-precondition", "too-many-open-cash-orders", ["paymentMethod"]]);
    assert.equal((await ordersOf(app.user.uid)).length, 2);
    // A card is still welcome, and a closed cash order frees its place.
    CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("card")));
    await app.call(CALLABLES.cancelOrder, { orderId: one.orderId });
    CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("cash")));
  });

  it("lets two of ten simultaneous cash checkouts of one account through, holding stock for two only", async () => {
    const { restaurantId, itemId } = await restaurantWithStock(20);
    const caller = customerCaller("cash-racer");
    const request = (): CheckoutRequest => ({ restaurantId, lines: [{ itemId, quantity: 1, modifiers: [] }], deliveryAddress: SOL, tip: 0, paymentMethod: "cash", idempotencyKey: randomUUID() });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => checkout.run(request(), { ...caller, correlationId: randomUUID() }).then(() => "ok", reasonOf)));
    assert.deepEqual(outcomes.sort(), ["ok", "ok", ...Array(8).fill("too-many-open-cash-orders")]);
    assert.equal((await ordersOf(caller.uid)).length, 2);
    assert.equal(await stockLeft(restaurantId, itemId), 18);
  });

  it("refuses after authorization a once-per-customer code the card already used, giving everything back", async () => {
    const card = `pm_card_${randomUUID().slice(0, 8)}`;
    const pay = async (app: AppClient, paymentMethod: string, restaurant: { restaurantId: string; itemId: string }) => {
      const result = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, { ...trattoriaCart("card", { promoCode: "WELCOME10" }), restaurantId: restaurant.restaurantId, lines: [{ itemId: restaurant.itemId, quantity: 2 }] }));
      const intentId = result.payment!.paymentIntentClientSecret.split("_secret_")[0];
      assert.equal((await confirmPayment(intentId, "authorized", paymentMethod)).delivered, 200);
      return { ...result, intentId };
    };
    const kitchen = await restaurantWithStock(10);
    const first = track(await signUpWithPhone());
    const used = await pay(first, card, kitchen);
    await waitForDocument(first.firestore, `orders/${used.orderId}`, (d) => d?.status === "placed", 90_000);

    // Another account and number, the same card: refused once the card is known.
    const second = track(await signUpWithPhone());
    const refused = await pay(second, card, kitchen);
    const order = await waitForDocument(second.firestore, `orders/${refused.orderId}`, (d) => d?.status === "payment_failed", 90_000);
    assert.equal(order.failureReason, "promo-already-used");
    assert.equal((await admin().db.doc(`promoRedemptions/${refused.orderId}`).get()).get("status"), "returned");
    assert.equal((await admin().db.doc(`stockReservations/${refused.orderId}`).get()).get("status"), "released");
    assert.equal(await stockLeft(kitchen.restaurantId, kitchen.itemId), 8, "only the first order's units are held");
    // The order's event has settlement cancel the hold it just got. Run here rather than awaited
    // through Pub/Sub and the task queue, which a loaded machine delays by minutes; it is the same
    // work, safe to repeat (it asks Stripe first; the cancel's idempotency key is the order's).
    await settlePayment.run({ orderId: refused.orderId }, { taskId: `test-settle-${refused.orderId}`, attempt: 1, finalAttempt: false });
    assert.ok((await doubleRequests()).some((r) => r.path === `/v1/payment_intents/${refused.intentId}/cancel`), "the authorization is canceled at Stripe");
    assert.equal((await admin().db.doc(`orders/${refused.orderId}`).get()).get("payment.status"), "canceled");

    // The code came back to that account: with a card of its own it goes through.
    const own = await pay(second, `pm_card_${randomUUID().slice(0, 8)}`, kitchen);
    await waitForDocument(second.firestore, `orders/${own.orderId}`, (d) => d?.status === "placed", 90_000);
  });
});
