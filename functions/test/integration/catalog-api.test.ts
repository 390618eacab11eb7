/**
 * The public catalog API over HTTP: in-process (the express app against the Firestore
 * emulator, with a fixed clock) for the search semantics, and once through the Functions
 * emulator for the wiring. Reads the demo catalog that the test run imports, plus a cluster of
 * restaurants of its own far from it.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { after, before, describe, it } from "node:test";
import { ListRestaurantsResponse, MenuResponse } from "../../src/contract";
import { createCatalogApp } from "../../src/catalog/api.app";
import { restaurantDocument } from "../../src/catalog/catalog.model";
import { admin, functionUrl } from "../support/emulators";

// Monday 2026-11-23, 14:00 in Madrid: the 24/7 trattoria is open, the others are closed.
const MONDAY_2PM_MADRID = new Date("2026-11-23T13:00:00Z");
const PUERTA_DEL_SOL = { lat: 40.4168, lng: -3.7038 };
const HELSINKI = { lat: 60.1699, lng: 24.9384 };

let server: Server;
let base: string;

async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  // Seven published restaurants 1..7 km north of Helsinki's centre, for paging by distance.
  const batch = admin().db.batch();
  for (let i = 1; i <= 7; i += 1) {
    const fields = {
      name: `Helsinki Kitchen ${i}`,
      cuisines: ["nordic"],
      location: { lat: HELSINKI.lat + i * 0.009, lng: HELSINKI.lng },
      address: `Street ${i}`,
      deliveryRadiusKm: 10,
      deliveryFee: 300,
      openingHours: { timeZone: "Europe/Helsinki", weekly: {} },
      currency: "EUR",
      published: true,
    };
    batch.set(admin().db.doc(`restaurants/helsinki-${i}`), restaurantDocument(fields));
  }
  await batch.commit();
  server = createCatalogApp({ cacheTtlMs: 0, now: () => MONDAY_2PM_MADRID }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise((resolve) => server.close(resolve)));

describe("catalog API: search", () => {
  it("finds the published restaurants that deliver to a point, nearest first", async () => {
    const { status, body } = await get(`/v1/restaurants?lat=${PUERTA_DEL_SOL.lat}&lng=${PUERTA_DEL_SOL.lng}`);
    assert.equal(status, 200);
    const page = ListRestaurantsResponse.parse(body);
    assert.deepEqual(page.restaurants.map((r) => r.id).sort(), ["demo-restaurant-1", "demo-restaurant-2", "demo-restaurant-3"]);
    const distances = page.restaurants.map((r) => r.distanceKm!);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
    assert.ok(page.restaurants.every((r) => r.distanceKm! <= r.deliveryRadiusKm));
    assert.equal(page.nextCursor, null);
  });

  it("leaves out restaurants whose own delivery radius does not reach the point", async () => {
    // 4.5 km east of Sol: inside the trattoria's 5 km and the burger bar's 6 km, outside the curry house's 4 km.
    const { body } = await get(`/v1/restaurants?lat=40.4168&lng=-3.6508`);
    const ids = ListRestaurantsResponse.parse(body).restaurants.map((r) => r.id);
    assert.ok(!ids.includes("demo-restaurant-2"), ids.join(","));
    assert.ok(ids.includes("demo-restaurant-3"), ids.join(","));
  });

  it("filters by open now, cuisine and name prefix", async () => {
    const open = ListRestaurantsResponse.parse((await get(`/v1/restaurants?lat=40.4168&lng=-3.7038&openNow=true`)).body);
    assert.deepEqual(open.restaurants.map((r) => r.id), ["demo-restaurant-1"]);
    assert.ok(open.restaurants.every((r) => r.openNow));

    const pizza = ListRestaurantsResponse.parse((await get(`/v1/restaurants?cuisine=pizza`)).body);
    assert.deepEqual(pizza.restaurants.map((r) => r.name), ["Trattoria Demo"]);

    const prefix = ListRestaurantsResponse.parse((await get(`/v1/restaurants?q=NIGHT`)).body);
    assert.deepEqual(prefix.restaurants.map((r) => r.name), ["Night Owl Burgers"]);

    const closedNordic = ListRestaurantsResponse.parse((await get(`/v1/restaurants?cuisine=nordic&openNow=true`)).body);
    assert.deepEqual(closedNordic.restaurants, []);
  });

  it("never lists an unpublished restaurant", async () => {
    const { body } = await get(`/v1/restaurants?q=coming`);
    assert.deepEqual(ListRestaurantsResponse.parse(body).restaurants, []);
  });

  it("pages through results with cursors, each restaurant exactly once", async () => {
    for (const query of [`lat=${HELSINKI.lat}&lng=${HELSINKI.lng}`, "cuisine=nordic"]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = ListRestaurantsResponse.parse((await get(`/v1/restaurants?${query}&limit=3${cursor ? `&cursor=${cursor}` : ""}`)).body);
        seen.push(...page.restaurants.map((r) => r.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6, 7].map((i) => `helsinki-${i}`), query);
      assert.equal(new Set(seen).size, seen.length, `no duplicates for ${query}`);
      assert.ok(pages >= 3, `${query} took ${pages} pages`);
    }
  });

  it("answers 400 naming the failing query parameters", async () => {
    const missingLng = await get(`/v1/restaurants?lat=40.4`);
    assert.equal(missingLng.status, 400);
    assert.equal(missingLng.body.error.code, "invalid-argument");
    assert.deepEqual(missingLng.body.error.details.fields.map((f: { path: string }) => f.path), ["lng"]);
    const many = await get(`/v1/restaurants?limit=500&lat=100&lng=0&color=red`);
    assert.deepEqual(many.body.error.details.fields.map((f: { path: string }) => f.path).sort(), ["", "lat", "limit"]);
    const cursor = await get(`/v1/restaurants?cursor=not-ours`);
    assert.deepEqual(cursor.body.error.details.fields.map((f: { path: string }) => f.path), ["cursor"]);
    assert.match(cursor.body.error.details.correlationId, /^[0-9a-f-]{36}$/);
  });
});

describe("catalog API: menus and caching", () => {
  it("serves a published menu: categories in order, stock-tracked items marked", async () => {
    const { status, body } = await get(`/v1/restaurants/demo-restaurant-1/menu`);
    assert.equal(status, 200);
    const menu = MenuResponse.parse(body);
    assert.deepEqual(menu.categories.map((c) => c.name), ["Pizzas", "Pasta", "Desserts", "Drinks"]);
    const truffle = menu.categories[0].items.find((i) => i.id === "truffle-special");
    assert.equal(truffle?.tracksStock, true);
    assert.equal(menu.restaurant.openNow, true);
  });

  it("answers 404 for an unpublished or unknown restaurant", async () => {
    assert.equal((await get(`/v1/restaurants/demo-restaurant-draft/menu`)).status, 404);
    assert.equal((await get(`/v1/restaurants/nope/menu`)).body.error.code, "not-found");
  });

  it("sends an ETag and Cache-Control, and 304 when the client has the current version", async () => {
    const first = await get(`/v1/restaurants/demo-restaurant-2/menu`);
    const etag = first.headers.get("etag")!;
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    assert.match(first.headers.get("cache-control")!, /public, max-age=\d+, s-maxage=\d+/);
    const again = await get(`/v1/restaurants/demo-restaurant-2/menu`, { "If-None-Match": etag });
    assert.equal(again.status, 304);
    const stale = await get(`/v1/restaurants/demo-restaurant-2/menu`, { "If-None-Match": '"something-else"' });
    assert.equal(stale.status, 200);
  });

  it("is served by the catalog-api function in the Functions emulator", async () => {
    const response = await fetch(`${functionUrl("catalog-api")}/v1/restaurants?q=night`);
    assert.equal(response.status, 200);
    assert.ok(response.headers.get("etag"));
    assert.deepEqual(ListRestaurantsResponse.parse(await response.json()).restaurants.map((r) => r.name), ["Night Owl Burgers"]);
  });
});
