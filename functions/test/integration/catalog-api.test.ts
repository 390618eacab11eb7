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
import { documentsRead, readsDuring } from "../support/reads";

// Monday 2026-11-23, 14:00 in Madrid: the 24/7 trattoria is open, the others are closed.
const MONDAY_2PM_MADRID = new Date("2026-11-23T13:00:00Z");
const PUERTA_DEL_SOL = { lat: 40.4168, lng: -3.7038 };
const HELSINKI = { lat: 60.1699, lng: 24.9384 };

let server: Server;
let base: string;

async function get(path: string, headers: Record<string, string> = {}, at = base) {
  const response = await fetch(`${at}${path}`, { headers });
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
  ({ server, base } = await serve(createCatalogApp({ ...OPEN, cacheTtlMs: 0 })));
});

after(() => new Promise((resolve) => server.close(resolve)));

/** The app as the in-process tests run it: a fixed clock, no App Check, no rate limit. */
const OPEN = { now: () => MONDAY_2PM_MADRID, appCheck: { enforced: false }, rateLimit: "none" } as const;

async function serve(app: ReturnType<typeof createCatalogApp>): Promise<{ server: Server; base: string }> {
  const listening = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => listening.once("listening", resolve));
  return { server: listening, base: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
}

/**
 * The demo restaurants among `restaurants`: files running beside this one publish test kitchens
 * near Sol too (checkout's, the cart quote's), which a search there rightly finds.
 */
const demoOnly = <T extends { id: string }>(restaurants: T[]) => restaurants.filter((r) => r.id.startsWith("demo-"));

describe("catalog API: search", () => {
  it("finds the published restaurants that deliver to a point, nearest first", async () => {
    const { status, body } = await get(`/v1/restaurants?lat=${PUERTA_DEL_SOL.lat}&lng=${PUERTA_DEL_SOL.lng}&limit=50`);
    assert.equal(status, 200);
    const page = ListRestaurantsResponse.parse(body);
    assert.deepEqual(demoOnly(page.restaurants).map((r) => r.id).sort(), ["demo-restaurant-1", "demo-restaurant-2", "demo-restaurant-3"]);
    const distances = page.restaurants.map((r) => r.distanceKm!);
    assert.deepEqual(distances, [...distances].sort((a, b) => a - b));
    assert.ok(page.restaurants.every((r) => r.distanceKm! <= r.deliveryRadiusKm));
  });

  it("leaves out restaurants whose own delivery radius does not reach the point", async () => {
    // 4.5 km east of Sol: inside the trattoria's 5 km and the burger bar's 6 km, outside the curry house's 4 km.
    const { body } = await get(`/v1/restaurants?lat=40.4168&lng=-3.6508`);
    const ids = ListRestaurantsResponse.parse(body).restaurants.map((r) => r.id);
    assert.ok(!ids.includes("demo-restaurant-2"), ids.join(","));
    assert.ok(ids.includes("demo-restaurant-3"), ids.join(","));
  });

  it("filters by open now, cuisine and name prefix", async () => {
    const open = ListRestaurantsResponse.parse((await get(`/v1/restaurants?lat=40.4168&lng=-3.7038&openNow=true&limit=50`)).body);
    assert.deepEqual(demoOnly(open.restaurants).map((r) => r.id), ["demo-restaurant-1"]);
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
    const many = await get(`/v1/restaurants?limit=500&lat=100&lng=0`);
    assert.deepEqual(many.body.error.details.fields.map((f: { path: string }) => f.path).sort(), ["lat", "limit"]);
    const huge = await get(`/v1/restaurants?limit=100000`);
    assert.equal(huge.status, 400);
    assert.deepEqual(huge.body.error.details.fields.map((f: { path: string }) => f.path), ["limit"]);
    const cursor = await get(`/v1/restaurants?cursor=not-ours`);
    assert.deepEqual(cursor.body.error.details.fields.map((f: { path: string }) => f.path), ["cursor"]);
    assert.match(cursor.body.error.details.correlationId, /^[0-9a-f-]{36}$/);
  });
});

describe("catalog API: bounded reads", () => {
  // 130 published restaurants of one cuisine, all closed (no opening hours), far from the rest.
  const CROWDED = 130;

  before(async () => {
    const batch = admin().db.batch();
    for (let i = 0; i < CROWDED; i += 1) {
      const fields = {
        name: `Crowded Grill ${String(i).padStart(3, "0")}`,
        cuisines: ["crowded-test"],
        location: { lat: 64.1466 + (i % 10) * 0.001, lng: -21.9426 },
        address: `Street ${i}`,
        deliveryRadiusKm: 1,
        deliveryFee: 300,
        openingHours: { timeZone: "Atlantic/Reykjavik", weekly: {} },
        currency: "EUR",
        published: true,
      };
      batch.set(admin().db.doc(`restaurants/crowded-${i}`), restaurantDocument(fields));
    }
    const draft = admin().db.doc("restaurants/bounded-draft");
    const draftFields = {
      name: "Draft Kitchen",
      cuisines: ["crowded-test"],
      location: { lat: 64.2, lng: -21.9 },
      address: "Nowhere 1",
      deliveryRadiusKm: 1,
      deliveryFee: 0,
      openingHours: { timeZone: "Atlantic/Reykjavik", weekly: {} },
      currency: "EUR",
      published: false,
    };
    batch.set(draft, restaurantDocument(draftFields));
    batch.set(draft.collection("categories").doc("mains"), { name: "Mains", position: 0 });
    for (const id of ["a", "b", "c"]) {
      batch.set(draft.collection("items").doc(id), { categoryId: "mains", name: id, price: 100, available: true, modifierGroups: [] });
    }
    await batch.commit();
  });

  it("answers 404 for an unpublished restaurant after reading its document alone, none of its items", async () => {
    let status = 0;
    const reads = await readsDuring(async () => {
      status = (await get(`/v1/restaurants/bounded-draft/menu`)).status;
    });
    assert.equal(status, 404);
    assert.deepEqual(reads, [{ kind: "document", collection: "restaurants", documents: 1 }]);
  });

  it("puts a limit on every query: near me, by name, menus", async () => {
    const reads = await readsDuring(async () => {
      assert.equal((await get(`/v1/restaurants?lat=${PUERTA_DEL_SOL.lat}&lng=${PUERTA_DEL_SOL.lng}&limit=50`)).status, 200);
      assert.equal((await get(`/v1/restaurants?cuisine=pizza`)).status, 200);
      assert.equal((await get(`/v1/restaurants/demo-restaurant-1/menu`)).status, 200);
    });
    const queries = reads.filter((read) => read.kind === "query");
    assert.ok(queries.length >= 4, JSON.stringify(reads));
    for (const query of queries) assert.ok(query.limit !== undefined && query.limit <= 500, `unbounded query: ${JSON.stringify(reads)}`);
  });

  it("reads at most 100 restaurants for one page of a name listing, however many the filter leaves out", async () => {
    let page = ListRestaurantsResponse.parse({ restaurants: [], nextCursor: null });
    const reads = await readsDuring(async () => {
      page = ListRestaurantsResponse.parse((await get(`/v1/restaurants?cuisine=crowded-test&openNow=true&limit=50`)).body);
    });
    assert.ok(documentsRead(reads) <= 100, `read ${documentsRead(reads)} documents`);
    assert.deepEqual(page.restaurants, []);
    assert.ok(page.nextCursor, "more restaurants are left to look at");
    const rest = ListRestaurantsResponse.parse((await get(`/v1/restaurants?cuisine=crowded-test&openNow=true&limit=50&cursor=${page.nextCursor}`)).body);
    assert.deepEqual(rest, { restaurants: [], nextCursor: null });
  });

  it("reads a delivery cell once for nearby points in it, and measures distances from each point", async () => {
    const cached = await serve(createCatalogApp({ ...OPEN, cacheTtlMs: 60_000 }));
    try {
      const pages: ListRestaurantsResponse[] = [];
      const reads = await readsDuring(async () => {
        for (const point of [PUERTA_DEL_SOL, { lat: 40.41791, lng: -3.70213 }]) {
          pages.push(ListRestaurantsResponse.parse((await get(`/v1/restaurants?lat=${point.lat}&lng=${point.lng}`, {}, cached.base)).body));
        }
      });
      assert.equal(reads.length, 1, JSON.stringify(reads));
      const distance = (page: ListRestaurantsResponse) => page.restaurants.find((r) => r.id === "demo-restaurant-1")?.distanceKm;
      assert.notEqual(distance(pages[0]), undefined);
      assert.notEqual(distance(pages[0]), distance(pages[1]));
    } finally {
      cached.server.close();
    }
  });
});

describe("catalog API: rate limit per client address", () => {
  it("answers 429 with Retry-After to the request over budget, and only to that address", async () => {
    const limited = await serve(createCatalogApp({ ...OPEN, rateLimit: { max: 3, windowSeconds: 60 } }));
    try {
      // As Google's front end forwards it: whatever the client wrote, then the address it saw.
      // A client that makes up a new first hop each time is still the same client.
      const from = (ip: string, spoofed = "198.51.100.1") => ({ "X-Forwarded-For": `${spoofed}, ${ip}` });
      for (let i = 0; i < 3; i += 1) {
        assert.equal((await get(`/v1/restaurants/demo-restaurant-1/menu`, from("203.0.113.7", `198.51.100.${i + 10}`), limited.base)).status, 200);
      }
      const over = await get(`/v1/restaurants/demo-restaurant-1/menu`, from("203.0.113.7", "198.51.100.99"), limited.base);
      assert.equal(over.status, 429);
      // One token comes back every 20 s (3 a minute): the hint is at most that.
      const retryAfter = Number(over.headers.get("retry-after"));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 20, `Retry-After: ${over.headers.get("retry-after")}`);
      assert.equal(over.body.error.code, "resource-exhausted");
      assert.equal(over.body.error.details.reason, "rate-limited");
      assert.equal(over.body.error.details.retryAfterSeconds, retryAfter);
      assert.match(over.body.error.details.correlationId, /^[0-9a-f-]{36}$/);
      assert.equal((await get(`/v1/restaurants/demo-restaurant-1/menu`, from("203.0.113.8"), limited.base)).status, 200);
    } finally {
      limited.server.close();
    }
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
