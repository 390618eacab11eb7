import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { allocateProportionally, DEFAULT_TAX_RATES_BPS, taxAt, taxLines, taxRatesOf } from "../../src/checkout/taxes";
import { priceCheckout, type CheckoutLimits, type PricingItem, type PricingRestaurant } from "../../src/checkout/pricing";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("tax classes: discount allocation", () => {
  it("splits in proportion and gives the leftover units to the largest remainders", () => {
    // 100 over 1:1:1 is 33.33 each: one unit left, the tie goes to the first line.
    assert.deepEqual(allocateProportionally(100, [1, 1, 1]), [34, 33, 33]);
    // 10 over 300/700: exact, nothing left over.
    assert.deepEqual(allocateProportionally(10, [300, 700]), [3, 7]);
    // 7 over 5:3:2 is 3.5, 2.1, 1.4: floors 3+2+1 = 6, the unit left goes to the .5.
    assert.deepEqual(allocateProportionally(7, [5, 3, 2]), [4, 2, 1]);
    // 5 over 1:1:1:2 is 1, 1, 1, 2 plus remainders .25 each and .5: the exact split needs none.
    assert.deepEqual(allocateProportionally(5, [1, 1, 1, 2]), [1, 1, 1, 2]);
  });

  it("always sums exactly, whatever the weights", () => {
    let seed = 7;
    const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 500; round++) {
      const weights = Array.from({ length: 1 + next(8) }, () => next(5000));
      const amount = next(sum(weights) + 1);
      const parts = allocateProportionally(amount, weights);
      assert.equal(sum(parts), sum(weights) === 0 ? 0 : amount, `${amount} over ${weights}`);
      parts.forEach((part, i) => assert.ok(part >= 0 && part <= weights[i], `part ${i} of ${amount} over ${weights} within its line`));
    }
  });

  it("is exact on amounts whose products pass 2^53", () => {
    const parts = allocateProportionally(4_999_999_999, [5_000_000_000, 1]);
    assert.equal(sum(parts), 4_999_999_999);
    // 4999999998.0000000004 and 0.9999999996: the unit left goes to the second part.
    assert.deepEqual(parts, [4_999_999_998, 1]);
  });

  it("gives nothing to split when there is no discount or nothing to weigh by", () => {
    assert.deepEqual(allocateProportionally(0, [100, 200]), [0, 0]);
    assert.deepEqual(allocateProportionally(50, [0, 0]), [0, 0]);
    assert.deepEqual(allocateProportionally(50, []), []);
  });
});

describe("tax classes: tax per line", () => {
  it("rounds half up to a whole minor unit", () => {
    assert.equal(taxAt(5, 1000), 1, "0.5 rounds up");
    assert.equal(taxAt(4, 1000), 0, "0.4 rounds down");
    assert.equal(taxAt(0, 2100), 0);
    assert.equal(taxAt(150, 2100), 32, "31.5 rounds up");
  });

  it("taxes each line at its class's rate, after its discount share, and sums classes exactly", () => {
    const rates = taxRatesOf(undefined);
    const result = taxLines(
      [
        { taxClass: "food", lineTotal: 1900 },
        { taxClass: "drinks", lineTotal: 300 },
        { taxClass: "food", lineTotal: 550 },
      ],
      275,
      rates,
    );
    // 275 over 1900/300/550 (of 2750): 190, 30, 55 exactly.
    assert.deepEqual(result.lines.map((l) => l.discountShare), [190, 30, 55]);
    assert.deepEqual(result.lines.map((l) => l.tax), [171, 57, 50]); // 1710*10%, 270*21% = 56.7, 495*10% = 49.5
    assert.deepEqual(result.taxes, [
      { taxClass: "food", rateBps: DEFAULT_TAX_RATES_BPS.food, taxable: 1710 + 495, tax: 171 + 50 },
      { taxClass: "drinks", rateBps: DEFAULT_TAX_RATES_BPS.drinks, taxable: 270, tax: 57 },
    ]);
    assert.equal(result.tax, sum(result.taxes.map((t) => t.tax)));
    assert.equal(sum(result.taxes.map((t) => t.taxable)), 2750 - 275, "taxable is the discounted subtotal");
  });

  it("uses a restaurant's own rate for a class and the default for the rest", () => {
    assert.deepEqual(taxRatesOf({ drinks: 500 }), { food: DEFAULT_TAX_RATES_BPS.food, drinks: 500 });
    assert.deepEqual(taxRatesOf({ food: 0 }), { food: 0, drinks: DEFAULT_TAX_RATES_BPS.drinks }, "a zero rate is a rate, not a missing one");
  });

  it("a discount of the whole subtotal leaves nothing taxed; free items are taxed nothing", () => {
    const all = taxLines([{ taxClass: "food", lineTotal: 999 }, { taxClass: "drinks", lineTotal: 1 }], 1000, taxRatesOf(undefined));
    assert.deepEqual([all.tax, all.taxes.map((t) => t.taxable)], [0, [0, 0]]);
    const free = taxLines([{ taxClass: "food", lineTotal: 0 }], 0, taxRatesOf(undefined));
    assert.deepEqual(free.taxes, [{ taxClass: "food", rateBps: 1000, taxable: 0, tax: 0 }]);
  });
});

describe("tax classes in pricing", () => {
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
  const item = (id: string, amount: number, taxClass?: PricingItem["taxClass"]): PricingItem => ({
    id,
    name: id,
    price: { amount, currency: "EUR" },
    available: true,
    tracksStock: false,
    modifierGroups: [],
    ...(taxClass ? { taxClass } : {}),
  });
  const items = new Map([["pizza", item("pizza", 950)], ["cola", item("cola", 250, "drinks")], ["legacy", item("legacy", 333)]]);
  const MONDAY_NOON = new Date("2026-11-23T11:00:00Z");
  const LIMITS: CheckoutLimits = { maxTipPercent: 50, maxTip: 10_000, maxOrderTotal: 100_000 };
  const near = { id: "a", label: "Home", line1: "x", city: "Madrid", postalCode: "28001", country: "ES", location: { lat: 40.4168, lng: -3.7038 } };
  const lines = [
    { itemId: "pizza", quantity: 2, modifiers: [] },
    { itemId: "cola", quantity: 3, modifiers: [] },
    { itemId: "legacy", quantity: 1, modifiers: [] },
  ];

  it("taxes drinks and food at their own rates; the delivery fee and tip are untaxed", () => {
    const b = priceCheckout({ lines, deliveryAddress: near, tip: 100 }, restaurant, items, { code: "TENOFF", kind: "percent", value: 10, minSubtotal: 0 }, MONDAY_NOON, LIMITS);
    assert.equal(b.subtotal, 1900 + 750 + 333);
    assert.equal(b.discount, 298); // floor(2983 * 10%)
    assert.deepEqual(b.lines.map((l) => l.taxClass), ["food", "drinks", "food"], "an item without a class is food");
    assert.equal(sum(b.lines.map((l) => l.discountShare)), b.discount);
    assert.deepEqual(b.taxes.map((t) => [t.taxClass, t.rateBps]), [["food", 1000], ["drinks", 2100]]);
    assert.equal(b.tax, sum(b.taxes.map((t) => t.tax)));
    assert.equal(b.tax, sum(b.lines.map((l) => l.tax)));
    assert.equal(sum(b.taxes.map((t) => t.taxable)), b.subtotal - b.discount);
    assert.equal(b.total, b.subtotal - b.discount + b.deliveryFee + b.tax + b.tip);
  });

  it("follows the restaurant's rates", () => {
    const b = priceCheckout({ lines, deliveryAddress: near, tip: 0 }, { ...restaurant, taxRatesBps: { food: 400, drinks: 0 } }, items, undefined, MONDAY_NOON, LIMITS);
    assert.deepEqual(b.taxes, [
      { taxClass: "food", rateBps: 400, taxable: 2233, tax: 76 + 13 }, // 1900 * 4%, 333 * 4% = 13.32
      { taxClass: "drinks", rateBps: 0, taxable: 750, tax: 0 },
    ]);
  });
});
