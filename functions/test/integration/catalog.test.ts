/**
 * Catalog administration through the callables: who may change what, precise refusals that
 * change nothing, and an idempotent all-or-nothing menu import.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CALLABLES, SavedResponse, type SaveRestaurantRequest } from "../../src/contract";
import { deliveryCellOf } from "../../src/catalog/catalog.model";
import { admin, callError, signInWithRole, signUp, type AppClient, payload } from "../support/emulators";

const restaurantFields: SaveRestaurantRequest = {
  name: "Test Kitchen",
  cuisines: ["fusion"],
  location: { lat: 41.3874, lng: 2.1686 },
  address: "Plaça de Catalunya 1, Barcelona",
  deliveryRadiusKm: 5,
  deliveryFee: 199,
  openingHours: { timeZone: "Europe/Madrid", weekly: { mon: [{ open: "00:00", close: "24:00" }] } },
  currency: "EUR",
  published: false,
};

const item = (categoryId: string, extra: Record<string, unknown> = {}) => ({
  categoryId,
  name: "Bao",
  price: { amount: 650, currency: "EUR" },
  available: true,
  ...extra,
});

describe("catalog administration", () => {
  const clients: AppClient[] = [];
  let adminUser: AppClient;
  let staff: AppClient;
  let otherStaff: AppClient;
  let restaurantId: string;

  before(async () => {
    adminUser = await signInWithRole("admin");
    clients.push(adminUser);
    restaurantId = SavedResponse.parse(await adminUser.call(CALLABLES.saveRestaurant, restaurantFields)).id;
    staff = await signInWithRole("staff", [restaurantId]);
    otherStaff = await signInWithRole("staff", ["some-other-restaurant"]);
    clients.push(staff, otherStaff);
    await staff.call(CALLABLES.saveCategory, { restaurantId, categoryId: "buns", name: "Buns", position: 0 });
  });
  after(() => Promise.all(clients.map((c) => c.close())));

  const itemsOf = async (id: string) => (await admin().db.collection(`restaurants/${id}/items`).get()).docs;

  it("derives the search fields of a restaurant an admin creates", async () => {
    const stored = (await admin().db.doc(`restaurants/${restaurantId}`).get()).data()!;
    assert.equal(stored.nameLower, "test kitchen");
    assert.ok(stored.deliveryCells.includes(deliveryCellOf(restaurantFields.location)));
  });

  it("lets a restaurant's staff save and delete its items", async () => {
    const { id } = SavedResponse.parse(await staff.call(CALLABLES.saveItem, { restaurantId, ...item("buns") }));
    const stored = (await admin().db.doc(`restaurants/${restaurantId}/items/${id}`).get()).data()!;
    assert.deepEqual(stored.price, { amount: 650, currency: "EUR" });
    assert.equal(stored.restaurantId, restaurantId);
    await staff.call(CALLABLES.deleteItem, { restaurantId, itemId: id });
    assert.equal((await admin().db.doc(`restaurants/${restaurantId}/items/${id}`).get()).exists, false);
  });

  it("refuses staff of another restaurant, customers, and staff creating restaurants", async () => {
    const before = (await itemsOf(restaurantId)).length;
    const foreign = await callError(otherStaff.call(CALLABLES.saveItem, { restaurantId, ...item("buns") }));
    assert.equal(foreign.code, "functions/permission-denied");
    assert.equal(foreign.details.reason, "not-your-restaurant");
    const customer = await signUp();
    clients.push(customer);
    assert.equal((await callError(customer.call(CALLABLES.saveItem, { restaurantId, ...item("buns") }))).code, "functions/permission-denied");
    const create = await callError(staff.call(CALLABLES.saveRestaurant, restaurantFields));
    assert.equal(create.details.reason, "admin-only");
    assert.equal((await itemsOf(restaurantId)).length, before);
  });

  it("answers not-found naming the field for an unknown restaurant or category", async () => {
    const noCategory = await callError(staff.call(CALLABLES.saveItem, { restaurantId, ...item("no-such-category") }));
    assert.equal(noCategory.code, "functions/not-found");
    assert.deepEqual((noCategory.details.fields as { path: string }[]).map((f) => f.path), ["categoryId"]);
    const noRestaurant = await callError(adminUser.call(CALLABLES.saveItem, { restaurantId: "no-such-restaurant", ...item("buns") }));
    assert.equal(noRestaurant.code, "functions/not-found");
    assert.equal(noRestaurant.details.reason, "restaurant-not-found");
    assert.equal((await itemsOf("no-such-restaurant")).length, 0);
  });

  it("refuses bad prices and a foreign currency with the failing field, writing nothing", async () => {
    const before = (await itemsOf(restaurantId)).length;
    for (const [price, path] of [
      [{ amount: -100, currency: "EUR" }, "price.amount"],
      [{ amount: 6.5, currency: "EUR" }, "price.amount"],
      [{ amount: 650, currency: "USD" }, "price.currency"],
    ] as const) {
      const error = await callError(staff.call(CALLABLES.saveItem, { restaurantId, ...item("buns", { price }) }));
      assert.equal(error.code, "functions/invalid-argument");
      assert.deepEqual((error.details.fields as { path: string }[]).map((f) => f.path), [path]);
    }
    assert.equal((await itemsOf(restaurantId)).length, before);
  });

  it("refuses an oversized payload before reading it", async () => {
    const error = await callError(staff.call(CALLABLES.saveItem, { restaurantId, ...item("buns", { description: "x".repeat(70_000) }) }));
    assert.equal(error.code, "functions/invalid-argument");
    assert.match(error.message, /too large/);
  });

  it("imports a menu all or nothing, idempotently", async () => {
    const menu = {
      restaurantId,
      categories: [{ categoryId: "dumplings", name: "Dumplings", position: 1 }],
      items: [
        { itemId: "gyoza", ...item("dumplings", { name: "Gyoza" }) },
        { itemId: "shumai", ...item("dumplings", { name: "Shumai", tracksStock: true }) },
      ],
    };
    const bad = { ...menu, items: [...menu.items, { itemId: "broken", ...item("dumplings", { price: { amount: -1, currency: "EUR" } }) }] };
    const refused = await callError(staff.call(CALLABLES.importMenu, bad));
    assert.deepEqual((refused.details.fields as { path: string }[]).map((f) => f.path), ["items.2.price.amount"]);
    assert.equal((await admin().db.doc(`restaurants/${restaurantId}/items/gyoza`).get()).exists, false, "nothing of a refused import is written");

    assert.deepEqual(payload(await staff.call<object>(CALLABLES.importMenu, menu)), { categories: 1, items: 2 });
    const first = (await admin().db.doc(`restaurants/${restaurantId}/items/gyoza`).get()).data()!;
    await staff.call(CALLABLES.importMenu, menu);
    const ids = (await itemsOf(restaurantId)).map((d) => d.id).filter((id) => ["gyoza", "shumai"].includes(id));
    assert.deepEqual(ids.sort(), ["gyoza", "shumai"]);
    assert.equal((await admin().db.doc(`restaurants/${restaurantId}/items/gyoza`).get()).get("name"), first.name);
  });

  it("refuses to delete a category that still has items", async () => {
    const error = await callError(staff.call(CALLABLES.deleteCategory, { restaurantId, categoryId: "dumplings" }));
    assert.equal(error.code, "functions/failed-precondition");
    assert.equal(error.details.reason, "category-not-empty");
  });
});
