import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DomainError } from "../../src/shared/errors";
import { FEE_PER_KM, priceCheckout, promoDiscount, type CheckoutLimits, type PricingItem, type PricingRestaurant } from "../../src/checkout/pricing";
import { CheckoutRequest } from "../../src/contract/checkout";

const restaurant: PricingRestaurant = {
  id: "r1",
  name: "Trattoria",
  published: true,
  currency: "EUR",
  location: { lat: 40.4168, lng: -3.7038 },
  deliveryRadiusKm: 5,
  deliveryFee: 199,
  openingHours: { timeZone: "Europe/Madrid", weekly: { mon: [{ open: "00:00", close: "24:00" }] } },
};
const pizza: PricingItem = {
  id: "pizza",
  name: "Margherita",
  price: { amount: 950, currency: "EUR" },
  available: true,
  tracksStock: false,
  modifierGroups: [
    { id: "size", name: "Size", minSelect: 1, maxSelect: 1, options: [{ id: "regular", name: "Regular", priceDelta: 0 }, { id: "large", name: "Large", priceDelta: 300 }] },
    { id: "extras", name: "Extras", minSelect: 0, maxSelect: 2, options: [{ id: "cheese", name: "Cheese", priceDelta: 150 }, { id: "olives", name: "Olives", priceDelta: 100, available: false }] },
  ],
};
const items = new Map([[pizza.id, pizza], ["gone", { ...pizza, id: "gone", name: "Calzone", available: false }]]);
const MONDAY_NOON = new Date("2026-11-23T11:00:00Z");
const LIMITS: CheckoutLimits = { maxTipPercent: 50, maxTip: 10_000, maxOrderTotal: 100_000 };
const near = { id: "a", label: "Home", line1: "x", city: "Madrid", postalCode: "28001", country: "ES", location: { lat: 40.4168, lng: -3.7038 } };

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof DomainError, String(error));
    return error;
  }
  assert.fail("expected a refusal");
}

describe("pricing", () => {
  it("prices lines, modifiers, delivery, tax and tip in integer minor units", () => {
    const lines = [{ itemId: "pizza", quantity: 2, modifiers: [{ groupId: "size", optionIds: ["large"] }, { groupId: "extras", optionIds: ["cheese"] }] }];
    const b = priceCheckout({ lines, deliveryAddress: near, tip: 200 }, restaurant, items, undefined, MONDAY_NOON, LIMITS);
    assert.equal(b.lines[0].unitPrice, 950 + 300 + 150);
    assert.equal(b.subtotal, 2800);
    assert.equal(b.deliveryFee, 199);
    assert.equal(b.tax, 280);
    assert.equal(b.total, 2800 + 199 + 280 + 200);
  });

  it("charges per started km beyond the first two", () => {
    const far = { ...near, location: { lat: 40.4168 + 0.035, lng: -3.7038 } }; // 3.9 km north: 2 started km beyond 2
    const b = priceCheckout({ lines: [{ itemId: "pizza", quantity: 1, modifiers: [{ groupId: "size", optionIds: ["regular"] }] }], deliveryAddress: far, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, LIMITS);
    assert.equal(b.deliveryFee, 199 + 2 * FEE_PER_KM);
  });

  it("refuses a closed restaurant, an address out of range, unknown and unavailable items", () => {
    const line = { itemId: "pizza", quantity: 1, modifiers: [{ groupId: "size", optionIds: ["regular"] }] };
    const tuesday = new Date("2026-11-24T11:00:00Z");
    assert.equal(refusal(() => priceCheckout({ lines: [line], deliveryAddress: near, tip: 0 }, restaurant, items, undefined, tuesday, LIMITS)).extra.reason, "restaurant-closed");
    const away = { ...near, location: { lat: 41.4, lng: 2.17 } };
    const outside = refusal(() => priceCheckout({ lines: [line], deliveryAddress: away, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, LIMITS));
    assert.deepEqual([outside.extra.reason, outside.extra.fields?.[0].path], ["outside-delivery-area", "deliveryAddress.location"]);
    const unknown = refusal(() => priceCheckout({ lines: [line, { ...line, itemId: "nope" }], deliveryAddress: near, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, LIMITS));
    assert.deepEqual([unknown.code, unknown.extra.fields?.[0].path], ["not-found", "lines.1.itemId"]);
    const unavailable = refusal(() => priceCheckout({ lines: [{ ...line, itemId: "gone" }], deliveryAddress: near, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, LIMITS));
    assert.equal(unavailable.extra.reason, "item-unavailable");
    assert.equal(refusal(() => priceCheckout({ lines: [line], deliveryAddress: near, tip: 0 }, undefined, items, undefined, MONDAY_NOON, LIMITS)).code, "not-found");
  });

  it("refuses modifier choices that break a group's rules, naming the line", () => {
    const none = refusal(() => priceCheckout({ lines: [{ itemId: "pizza", quantity: 1, modifiers: [] }], deliveryAddress: near, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, LIMITS));
    assert.deepEqual([none.code, none.extra.fields?.map((f) => f.path)], ["invalid-argument", ["lines.0.modifiers"]]);
    const bad = refusal(() =>
      priceCheckout(
        { lines: [{ itemId: "pizza", quantity: 1, modifiers: [{ groupId: "size", optionIds: ["regular", "large"] }, { groupId: "extras", optionIds: ["olives"] }, { groupId: "sauce", optionIds: [] }] }], deliveryAddress: near, tip: 0 },
        restaurant,
        items,
        undefined,
        MONDAY_NOON,
        LIMITS,
      ),
    );
    assert.deepEqual(bad.extra.fields?.map((f) => f.path).sort(), ["lines.0.modifiers.0.optionIds", "lines.0.modifiers.1.optionIds", "lines.0.modifiers.2.groupId"]);
  });

  it("applies percent and amount promos with caps and minimums", () => {
    assert.equal(promoDiscount({ code: "P", kind: "percent", value: 10, minSubtotal: 0, maxDiscount: 500 }, 9999, "EUR"), 500);
    assert.equal(promoDiscount({ code: "P", kind: "percent", value: 10, minSubtotal: 0 }, 2999, "EUR"), 299);
    assert.equal(promoDiscount({ code: "A", kind: "amount", value: 500, minSubtotal: 0, currency: "EUR" }, 300, "EUR"), 300, "never more than the subtotal");
    assert.equal(refusal(() => promoDiscount({ code: "A", kind: "amount", value: 500, minSubtotal: 2000 }, 1999, "EUR")).extra.reason, "promo-minimum-not-met");
    assert.equal(refusal(() => promoDiscount({ code: "A", kind: "amount", value: 500, minSubtotal: 0, currency: "USD" }, 5000, "EUR")).extra.reason, "promo-not-applicable");
  });

  it("refuses a tip above the percentage of the subtotal or the absolute ceiling, naming tip", () => {
    const limits: CheckoutLimits = { maxTipPercent: 50, maxTip: 2000, maxOrderTotal: 100_000 };
    const lines = [{ itemId: "pizza", quantity: 2, modifiers: [{ groupId: "size", optionIds: ["regular"] }] }]; // subtotal 1900
    const ok = priceCheckout({ lines, deliveryAddress: near, tip: 950 }, restaurant, items, undefined, MONDAY_NOON, limits);
    assert.equal(ok.tip, 950, "exactly half the subtotal is allowed");
    for (const tip of [951, 100_000_000]) {
      const error = refusal(() => priceCheckout({ lines, deliveryAddress: near, tip }, restaurant, items, undefined, MONDAY_NOON, limits));
      assert.deepEqual([error.code, error.extra.fields?.map((f) => f.path)], ["invalid-argument", ["tip"]], `tip ${tip}`);
    }
    const big = [{ itemId: "pizza", quantity: 10, modifiers: [{ groupId: "size", optionIds: ["regular"] }] }]; // subtotal 9500: half is 4750
    const ceiling = refusal(() => priceCheckout({ lines: big, deliveryAddress: near, tip: 2001 }, restaurant, items, undefined, MONDAY_NOON, limits));
    assert.deepEqual([ceiling.code, ceiling.extra.fields?.map((f) => f.path)], ["invalid-argument", ["tip"]]);
  });

  it("refuses an order whose total is beyond the ceiling", () => {
    const limits: CheckoutLimits = { maxTipPercent: 50, maxTip: 2000, maxOrderTotal: 10_000 };
    const lines = [{ itemId: "pizza", quantity: 10, modifiers: [{ groupId: "size", optionIds: ["regular"] }] }]; // 9500 + tax + fee
    const error = refusal(() => priceCheckout({ lines, deliveryAddress: near, tip: 0 }, restaurant, items, undefined, MONDAY_NOON, limits));
    assert.deepEqual([error.code, error.extra.reason], ["failed-precondition", "order-total-too-high"]);
  });

  it("caps the quantity of one item across lines, naming the line that goes over", () => {
    const request = (quantities: number[], itemIds = quantities.map(() => "pizza")) => ({
      restaurantId: "r1",
      lines: quantities.map((quantity, i) => ({ itemId: itemIds[i], quantity })),
      deliveryAddress: near,
      paymentMethod: "cash",
      idempotencyKey: "key-12345678",
    });
    assert.ok(CheckoutRequest.safeParse(request([25, 25])).success, "50 of one item over two lines is allowed");
    assert.ok(CheckoutRequest.safeParse(request([50, 50], ["pizza", "pasta"])).success, "the cap is per item");
    const over = CheckoutRequest.safeParse(request([30, 10, 20, 5]));
    assert.equal(over.success, false, "65 of one item over several lines");
    assert.deepEqual(over.error!.issues.map((i) => i.path.join(".")), ["lines.2.quantity", "lines.3.quantity"]);
  });
});
