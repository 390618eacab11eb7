/**
 * The payment window: an unpaid card order expires, giving back its stock and promo and
 * canceling its PaymentIntent; a paid one is left alone. The task's implementation is run
 * directly, as Cloud Tasks would run it when the window closes.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CALLABLES, CheckoutResponse } from "../../src/contract";
import { expireUnpaidOrder } from "../../src/checkout/expiry.service";
import { eventually } from "../support/workflow";
import { admin, signUpWithPhone, type AppClient } from "../support/emulators";
import { confirmPayment, doubleRequests, restaurantWithStock, stockLeft, trattoriaCart } from "../support/checkout";

describe("payment window", () => {
  const clients: AppClient[] = [];
  before(() => {
    // What the Functions runtime would provide from .secret.local and .env.local.
    process.env.STRIPE_SECRET_KEY ??= "sk_test_local_double";
    process.env.STRIPE_API_URL ??= "http://127.0.0.1:12111";
  });
  after(() => Promise.all(clients.map((c) => c.close())));

  it("expires an unpaid order: stock and promo back, PaymentIntent canceled, once", async () => {
    const app = await signUpWithPhone();
    clients.push(app);
    const { restaurantId, itemId } = await restaurantWithStock(4);
    const result = CheckoutResponse.parse(
      await app.call(CALLABLES.placeOrder, { ...trattoriaCart("card"), restaurantId, lines: [{ itemId, quantity: 3 }], promoCode: "WELCOME10" }),
    );
    assert.equal(await stockLeft(restaurantId, itemId), 1);
    const task = { taskId: `expire-${result.orderId}`, attempt: 1, finalAttempt: false };
    await expireUnpaidOrder.run({ orderId: result.orderId }, task);
    await expireUnpaidOrder.run({ orderId: result.orderId }, task);

    const order = (await admin().db.doc(`orders/${result.orderId}`).get()).data()!;
    assert.equal(order.status, "expired");
    assert.equal(await stockLeft(restaurantId, itemId), 4);
    assert.equal((await admin().db.doc(`promoRedemptions/${result.orderId}`).get()).get("status"), "returned");
    // The expiry's event has the payment settled: the PaymentIntent is canceled, once.
    const cancels = async () => (await doubleRequests()).filter((r) => r.path.endsWith("/cancel") && r.idempotencyKey === `cancel-${result.orderId}`).length;
    await eventually("intent canceled", async () => (await admin().db.doc(`orders/${result.orderId}`).get()).get("payment.status") === "canceled");
    assert.equal(await cancels(), 1);
    // The promo can be used again.
    const retry = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("cash", { promoCode: "WELCOME10" })));
    assert.ok(retry.breakdown.discount > 0);
  });

  it("leaves a paid order alone", async () => {
    const app = await signUpWithPhone();
    clients.push(app);
    const result = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, trattoriaCart("card")));
    await confirmPayment(result.payment!.paymentIntentClientSecret.split("_secret_")[0], "authorized");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expireUnpaidOrder.run({ orderId: result.orderId }, { taskId: "t", attempt: 1, finalAttempt: false });
    assert.equal((await admin().db.doc(`orders/${result.orderId}`).get()).get("status"), "placed");
  });
});
