/** Bad catalog and profile input is refused with the exact failing fields (schemas alone). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImportMenuRequest, SaveItemRequest, SaveRestaurantRequest } from "../../src/contract/catalog";
import { UpdateProfileRequest } from "../../src/contract/profile";
import { canManageRestaurant } from "../../src/catalog/access";
import type { ZodType } from "zod";

function failingPaths(schema: ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  assert.equal(result.success, false, "expected the input to be refused");
  return result.error!.issues.map((i) => i.path.map(String).join(".")).sort();
}

const item = {
  restaurantId: "r1",
  categoryId: "c1",
  name: "Margherita",
  price: { amount: 950, currency: "EUR" },
  available: true,
};

const restaurant = {
  name: "Trattoria",
  cuisines: ["italian"],
  location: { lat: 40.4, lng: -3.7 },
  address: "Main street 1",
  deliveryRadiusKm: 5,
  deliveryFee: 199,
  openingHours: { timeZone: "Europe/Madrid", weekly: { mon: [{ open: "12:00", close: "16:00" }] } },
  currency: "EUR",
  published: true,
};

describe("catalog input", () => {
  it("accepts a well-formed item and restaurant", () => {
    assert.equal(SaveItemRequest.safeParse(item).success, true);
    assert.equal(SaveRestaurantRequest.safeParse(restaurant).success, true);
  });

  it("refuses negative, fractional and absurd minor-unit prices", () => {
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, price: { amount: -1, currency: "EUR" } }), ["price.amount"]);
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, price: { amount: 9.5, currency: "EUR" } }), ["price.amount"]);
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, price: { amount: 1e12, currency: "EUR" } }), ["price.amount"]);
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, price: { amount: 950, currency: "euro" } }), ["price.currency"]);
  });

  it("refuses modifier groups that cannot be satisfied", () => {
    const group = { id: "g", name: "Size", minSelect: 2, maxSelect: 1, options: [{ id: "a", name: "A", priceDelta: 0 }] };
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, modifierGroups: [group] }), ["modifierGroups.0.maxSelect", "modifierGroups.0.minSelect"]);
  });

  it("refuses malformed opening hours and unknown time zones", () => {
    const hours = { timeZone: "Mars/Olympus", weekly: { mon: [{ open: "25:00", close: "16:00" }], funday: [] } };
    assert.deepEqual(failingPaths(SaveRestaurantRequest, { ...restaurant, openingHours: hours }), [
      "openingHours.timeZone",
      "openingHours.weekly",
      "openingHours.weekly.mon.0.open",
    ]);
    const sameTimes = { timeZone: "UTC", weekly: { tue: [{ open: "10:00", close: "10:00" }] } };
    assert.deepEqual(failingPaths(SaveRestaurantRequest, { ...restaurant, openingHours: sameTimes }), ["openingHours.weekly.tue.0.close"]);
  });

  it("refuses fields a client may not set (mass assignment)", () => {
    assert.deepEqual(failingPaths(SaveItemRequest, { ...item, updatedBy: "someone" }), [""]);
    assert.deepEqual(failingPaths(UpdateProfileRequest, { displayName: "Eve", role: "admin" }), [""]);
  });

  it("names the row and field of each bad row of a menu import", () => {
    const menu = {
      restaurantId: "r1",
      categories: [{ categoryId: "c1", name: "Pizzas", position: 0 }],
      items: [
        { ...item, restaurantId: undefined, itemId: "ok" },
        { ...item, restaurantId: undefined, itemId: "bad-price", price: { amount: -5, currency: "EUR" } },
        { ...item, restaurantId: undefined, itemId: "bad-category", categoryId: "nope" },
      ].map(({ restaurantId: _unused, ...rest }) => rest),
    };
    assert.deepEqual(failingPaths(ImportMenuRequest, menu), ["items.1.price.amount", "items.2.categoryId"]);
  });

  it("refuses any phone number (Firebase Auth verifies it instead) and duplicate address ids", () => {
    assert.deepEqual(failingPaths(UpdateProfileRequest, { phone: "600 123 456" }), ["phone"]);
    assert.deepEqual(failingPaths(UpdateProfileRequest, { phone: "+34600123456" }), ["phone"], "even a well-formed one");
    const address = { id: "home", label: "Home", line1: "Calle 1", city: "Madrid", postalCode: "28001", country: "ES", location: { lat: 40.4, lng: -3.7 } };
    assert.deepEqual(failingPaths(UpdateProfileRequest, { addresses: [address, address] }), ["addresses.1.id"]);
  });
});

describe("catalog access", () => {
  it("lets admins and the restaurant's own staff manage it, nobody else", () => {
    assert.equal(canManageRestaurant({ role: "admin", claims: {} }, "r1"), true);
    assert.equal(canManageRestaurant({ role: "staff", claims: { restaurantIds: ["r1"] } }, "r1"), true);
    assert.equal(canManageRestaurant({ role: "staff", claims: { restaurantIds: ["r2"] } }, "r1"), false);
    assert.equal(canManageRestaurant({ role: "customer", claims: { restaurantIds: ["r1"] } }, "r1"), false);
    assert.equal(canManageRestaurant({ role: "courier", claims: {} }, "r1"), false);
  });
});
