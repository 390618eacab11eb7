/**
 * The cart quote through the callable: for the same cart it prices exactly what checkout then
 * charges (modifiers, promo, tip, food and drinks at their own rates), reports what checkout
 * would refuse as warnings and results instead of errors, keeps nothing, and refuses bad input
 * as checkout does.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES, CheckoutResponse, QuoteResponse } from "../../src/contract";
import { restaurantDocument } from "../../src/catalog/catalog.model";
import { definePromotion } from "../../src/checkout/promotions.service";
import { admin, callError, payload, signUp, signUpWithPhone, type AppClient } from "../support/emulators";
import { ordersOf, restaurantWithStock, SOL, stockLeft } from "../support/checkout";

const DAY = 24 * 60 * 60 * 1000;
const everyDay = Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ open: "00:00", close: "24:00" }]]));

/** A restaurant of this test's own with its own tax rates, food with modifiers and drinks. */
async function barWithOwnRates() {
  const restaurantId = `quote-${randomUUID()}`;
  const ref = admin().db.doc(`restaurants/${restaurantId}`);
  await ref.set(
    restaurantDocument({
      name: "Quote Bar",
      cuisines: ["test"],
      location: SOL.location,
      address: "Sol",
      deliveryRadiusKm: 5,
      deliveryFee: 250,
      openingHours: { timeZone: "Europe/Madrid", weekly: everyDay },
      currency: "EUR",
      published: true,
      prepMinutes: 25,
      taxRatesBps: { food: 700, drinks: 1900 },
    }),
  );
  const item = (id: string, name: string, amount: number, extra: Record<string, unknown> = {}) =>
    ref.collection("items").doc(id).set({ categoryId: "main", name, price: { amount, currency: "EUR" }, modifierGroups: [], available: true, tracksStock: false, taxClass: "food", imageUrls: [], ...extra });
  await Promise.all([
    item("tapas", "Tapas board", 1333, {
      modifierGroups: [{ id: "extra", name: "Extra", minSelect: 0, maxSelect: 2, options: [{ id: "ham", name: "Ham", priceDelta: 275, available: true }, { id: "olives", name: "Olives", priceDelta: 99, available: true }] }],
    }),
    item("vermut", "Vermut", 345, { taxClass: "drinks" }),
    item("cava", "Cava", 777, { taxClass: "drinks" }),
    item("gone", "Sold elsewhere", 500, { available: false }),
  ]);
  return restaurantId;
}

async function promo(fields: Partial<Parameters<typeof definePromotion>[0]> = {}) {
  const code = `Q${randomUUID().slice(0, 8).toUpperCase()}`;
  await definePromotion({ code, kind: "percent", value: 15, minSubtotal: 0, currency: "EUR", perUserLimit: 1, globalLimit: 100, active: true, startsAt: new Date(Date.now() - DAY), expiresAt: new Date(Date.now() + DAY), ...fields });
  return code;
}

describe("cart quote", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const customer = async (withPhone = true) => {
    const client = withPhone ? await signUpWithPhone() : await signUp();
    clients.push(client);
    return client;
  };
  const quote = async (app: AppClient, cart: Record<string, unknown>) => QuoteResponse.parse(payload(await app.call<object>(CALLABLES.quoteCart, cart)));

  it("prices exactly what checkout then charges, cart after cart", async () => {
    const barId = await barWithOwnRates();
    const [tenOff, amountOff] = [await promo({ value: 10 }), await promo({ kind: "amount", value: 333 })];
    const carts: { name: string; cart: Record<string, unknown>; paymentMethod: "card" | "cash" }[] = [
      {
        name: "modifiers, food and drinks, tip (demo trattoria)",
        paymentMethod: "cash",
        cart: {
          restaurantId: "demo-restaurant-1",
          lines: [
            { itemId: "margherita", quantity: 2, modifiers: [{ groupId: "size", optionIds: ["large"] }] },
            { itemId: "lemonade", quantity: 3 },
            { itemId: "water", quantity: 1 },
          ],
          deliveryAddress: SOL,
          tip: 120,
        },
      },
      {
        name: "a percent promo over food and drinks, paid by card",
        paymentMethod: "card",
        cart: { restaurantId: "demo-restaurant-1", lines: [{ itemId: "carbonara", quantity: 1 }, { itemId: "lemonade", quantity: 1 }, { itemId: "tiramisu", quantity: 1 }], deliveryAddress: SOL, tip: 0, promoCode: tenOff },
      },
      {
        name: "the restaurant's own rates, modifiers, an amount promo that splits unevenly, a tip",
        paymentMethod: "cash",
        cart: {
          restaurantId: barId,
          lines: [
            { itemId: "tapas", quantity: 3, modifiers: [{ groupId: "extra", optionIds: ["ham", "olives"] }] },
            { itemId: "vermut", quantity: 2 },
            { itemId: "cava", quantity: 1 },
          ],
          deliveryAddress: SOL,
          tip: 300,
          promoCode: amountOff,
        },
      },
    ];
    for (const { name, cart, paymentMethod } of carts) {
      const app = await customer();
      const quoted = await quote(app, cart);
      assert.equal(quoted.canCheckout, true, name);
      assert.deepEqual(quoted.warnings, [], name);
      const placed = CheckoutResponse.parse(await app.call(CALLABLES.placeOrder, { ...cart, paymentMethod, idempotencyKey: randomUUID() }));
      assert.deepEqual(placed.breakdown, quoted.breakdown, `${name}: checkout's breakdown is the quote's`);
      assert.equal(quoted.breakdown.tax, quoted.breakdown.taxes.reduce((sum, t) => sum + t.tax, 0), name);
      if (cart.promoCode) assert.deepEqual([quoted.promo?.applied, quoted.promo?.discount], [true, placed.breakdown.discount], name);
    }
  });

  it("taxes drinks at their class's rate and says how the ETA is made", async () => {
    const barId = await barWithOwnRates();
    const app = await customer();
    const quoted = await quote(app, { restaurantId: barId, lines: [{ itemId: "tapas", quantity: 1 }, { itemId: "cava", quantity: 2 }], deliveryAddress: SOL });
    assert.deepEqual(quoted.breakdown.taxes, [
      { taxClass: "food", rateBps: 700, taxable: 1333, tax: 93 }, // 93.31
      { taxClass: "drinks", rateBps: 1900, taxable: 1554, tax: 295 }, // 295.26
    ]);
    assert.equal(quoted.eta.prepMinutes, 25, "the restaurant's preparation time");
    assert.equal(quoted.eta.openOrders, 0, "nothing in this kitchen yet");
    assert.equal(quoted.eta.minutes, quoted.eta.prepMinutes + quoted.eta.queueMinutes + quoted.eta.travelMinutes);
    assert.deepEqual(quoted.paymentMethods, [{ method: "card", available: true }, { method: "cash", available: true }]);
  });

  it("returns a refused promo as a result and prices the cart without it", async () => {
    const app = await customer();
    const cart = { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL };
    const plain = await quote(app, cart);
    const expired = await quote(app, { ...cart, promoCode: "OLDCODE" });
    assert.deepEqual([expired.promo?.applied, expired.promo?.reason, expired.canCheckout], [false, "promo-expired", false]);
    assert.deepEqual(expired.breakdown, plain.breakdown);
    const minimum = await quote(app, { ...cart, promoCode: "FIVEOFF" }); // needs 20.00
    assert.deepEqual([minimum.promo?.applied, minimum.promo?.reason, minimum.breakdown.discount], [false, "promo-minimum-not-met", 0]);
    assert.equal((await quote(app, { ...cart, promoCode: "NOPE1234" })).promo?.reason, "promo-not-found");

    const once = await promo({ perUserLimit: 1, globalLimit: 10 });
    assert.equal((await quote(app, { ...cart, promoCode: once })).promo?.applied, true);
    await app.call(CALLABLES.placeOrder, { ...cart, promoCode: once, paymentMethod: "cash", idempotencyKey: randomUUID() });
    const used = await quote(app, { ...cart, promoCode: once });
    assert.deepEqual([used.promo?.applied, used.promo?.reason, used.breakdown.discount], [false, "promo-already-used", 0], "the customer's own limit, as checkout's transaction finds it");
    const refused = await callError(app.call(CALLABLES.placeOrder, { ...cart, promoCode: once, paymentMethod: "cash", idempotencyKey: randomUUID() }));
    assert.equal(refused.details.reason, "promo-already-used", "checkout refuses what the quote reported");
  });

  it("warns of unavailable items and short stock, which checkout refuses, and keeps nothing", async () => {
    const app = await customer();
    const barId = await barWithOwnRates();
    const unavailable = await quote(app, { restaurantId: barId, lines: [{ itemId: "vermut", quantity: 1 }, { itemId: "gone", quantity: 1 }], deliveryAddress: SOL });
    assert.deepEqual(
      unavailable.warnings.map((w) => [w.reason, w.fields.map((f) => f.path), w.blocksCheckout]),
      [["item-unavailable", ["lines.1.itemId"], true]],
    );
    assert.equal(unavailable.canCheckout, false);
    assert.equal(unavailable.breakdown.lines.length, 2, "the unavailable line is still priced, so the cart shows it");
    const refused = await callError(app.call(CALLABLES.placeOrder, { restaurantId: barId, lines: [{ itemId: "gone", quantity: 1 }], deliveryAddress: SOL, paymentMethod: "cash", idempotencyKey: randomUUID() }));
    assert.equal(refused.details.reason, "item-unavailable");

    const { restaurantId, itemId } = await restaurantWithStock(6);
    const low = await quote(app, { restaurantId, lines: [{ itemId, quantity: 2 }], deliveryAddress: SOL });
    assert.deepEqual(low.warnings.map((w) => [w.reason, w.fields.map((f) => f.path), w.blocksCheckout]), [["low-stock", ["lines.0.quantity"], false]]);
    assert.equal(low.canCheckout, true);
    const short = await quote(app, { restaurantId, lines: [{ itemId, quantity: 4 }, { itemId, quantity: 3 }], deliveryAddress: SOL });
    assert.deepEqual(short.warnings.map((w) => [w.reason, w.message, w.blocksCheckout]), [["out-of-stock", "Only 6 of Limited dish left.", true]]);
    assert.equal(await stockLeft(restaurantId, itemId), 6, "a quote reserves nothing");
    assert.equal((await ordersOf(app.user.uid)).length, 0, "a quote keeps no order");
  });

  it("offers cash only when the cash rules allow it for this customer", async () => {
    const noPhone = await customer(false);
    const quoted = await quote(noPhone, { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL });
    assert.deepEqual(quoted.paymentMethods.map((m) => [m.method, m.available, m.reason]), [["card", true, undefined], ["cash", false, "verified-phone-required"]]);

    const busy = await customer();
    const cart = { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL };
    for (let i = 0; i < 2; i++) await busy.call(CALLABLES.placeOrder, { ...cart, paymentMethod: "cash", idempotencyKey: randomUUID() });
    const full = await quote(busy, cart);
    assert.deepEqual(full.paymentMethods.find((m) => m.method === "cash")?.reason, "too-many-open-cash-orders", "MAX_OPEN_CASH_ORDERS (2) open cash orders");
  });

  it("refuses bad input with the failing fields, as checkout does", async () => {
    const app = await customer();
    const bad = await callError(app.call(CALLABLES.quoteCart, { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 0 }], deliveryAddress: SOL, tip: -1 }));
    assert.equal(bad.code, "functions/invalid-argument");
    assert.deepEqual(((bad.details.fields ?? []) as { path: string }[]).map((f) => f.path).sort(), ["lines.0.quantity", "tip"]);
    const tooMuchTip = await callError(app.call(CALLABLES.quoteCart, { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL, tip: 100_000 }));
    assert.deepEqual([tooMuchTip.code, (tooMuchTip.details.fields as { path: string }[]).map((f) => f.path)], ["functions/invalid-argument", ["tip"]]);
    const unknown = await callError(app.call(CALLABLES.quoteCart, { restaurantId: "no-such-restaurant", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL }));
    assert.deepEqual([unknown.code, unknown.details.reason], ["functions/not-found", "restaurant-not-found"]);
    const checkoutFields = await callError(app.call(CALLABLES.quoteCart, { restaurantId: "demo-restaurant-1", lines: [{ itemId: "pesto", quantity: 1 }], deliveryAddress: SOL, paymentMethod: "cash" }));
    assert.deepEqual([checkoutFields.code, (checkoutFields.details.fields as { path: string }[]).map((f) => f.path)], ["functions/invalid-argument", ["paymentMethod"]], "checkout's own fields are not a quote's");
  });
});
