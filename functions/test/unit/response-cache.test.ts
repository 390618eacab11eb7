import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listCacheKey } from "../../src/catalog/browse.service";
import { deliveryCellOf } from "../../src/catalog/catalog.model";
import { ListRestaurantsQuery } from "../../src/contract/catalog";
import { ResponseCache } from "../../src/shared/http";

describe("response cache", () => {
  it("reuses a body within its lifetime and recomputes after", async () => {
    const cache = new ResponseCache(1000, 10);
    let computed = 0;
    const produce = async () => ({ n: ++computed });
    assert.equal(await cache.get("k", produce, 0), '{"n":1}');
    assert.equal(await cache.get("k", produce, 999), '{"n":1}');
    assert.equal(await cache.get("k", produce, 1000), '{"n":2}');
  });

  it("holds at most maxEntries, dropping the oldest", async () => {
    const cache = new ResponseCache(60_000, 2);
    let computed = 0;
    const produce = async () => ++computed;
    await cache.get("a", produce, 0);
    await cache.get("b", produce, 0);
    await cache.get("c", produce, 0);
    assert.equal(await cache.get("b", produce, 1), "2");
    assert.equal(await cache.get("a", produce, 1), "4", "a was evicted and recomputed");
  });
});

describe("catalog listing cache keys", () => {
  const key = (query: Record<string, string>) => {
    const parsed = ListRestaurantsQuery.safeParse(query);
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
    return listCacheKey(parsed.data);
  };

  it("gives two nearby points of one delivery cell the same key, and another cell another", () => {
    // Both in geohash cell ezjmg (central Madrid), about 150 m apart.
    assert.equal(deliveryCellOf({ lat: 40.4168, lng: -3.7038 }), deliveryCellOf({ lat: 40.41791, lng: -3.70213 }));
    assert.equal(key({ lat: "40.4168", lng: "-3.7038" }), key({ lat: "40.41791", lng: "-3.70213" }));
    assert.notEqual(key({ lat: "40.4168", lng: "-3.7038" }), key({ lat: "41.3874", lng: "2.1686" }));
  });

  it("keys a near-me query by its cell alone: filters, page size and cursor are applied to the cell's restaurants", () => {
    const base = key({ lat: "40.4168", lng: "-3.7038" });
    assert.equal(key({ lat: "40.4168", lng: "-3.7038", cuisine: "pizza", openNow: "true", limit: "5" }), base);
  });

  it("ignores unknown query parameters", () => {
    assert.equal(key({ cuisine: "pizza", utm_source: "newsletter", _: "1700000000000" }), key({ cuisine: "pizza" }));
    assert.equal(key({ lat: "40.4168", lng: "-3.7038", color: "red" }), key({ lat: "40.4168", lng: "-3.7038" }));
  });

  it("normalizes the other parameters of a name listing", () => {
    assert.equal(key({ cuisine: " Pizza ", q: "NIGHT" }), key({ q: "night", cuisine: "pizza", limit: "20" }));
    assert.notEqual(key({ cuisine: "pizza", limit: "5" }), key({ cuisine: "pizza", limit: "6" }));
  });
});
