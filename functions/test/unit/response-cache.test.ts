import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { listCacheKey } from "../../src/catalog/browse.service";
import { deliveryCellOf } from "../../src/catalog/catalog.model";
import { ListRestaurantsQuery } from "../../src/contract/catalog";
import { MemoryCache, ResponseCache } from "../../src/shared/http";

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

describe("memory cache under concurrent misses", () => {
  it("reads a missing or expired key once for all the requests that ask for it meanwhile", async () => {
    const cache = new MemoryCache<number>(1000, 10);
    let reads = 0;
    const pending: ((value: number) => void)[] = [];
    const produce = () => {
      reads += 1;
      return new Promise<number>((resolve) => pending.push(resolve));
    };
    // A thousand connections asking for one cold cell: one Firestore read, not a thousand.
    const waiting = Array.from({ length: 1000 }, () => cache.get("cell", produce, 0));
    for (const finish of pending) finish(7);
    assert.deepEqual(new Set(await Promise.all(waiting)), new Set([7]));
    assert.equal(reads, 1, `one read for 1000 concurrent misses, not ${reads}`);
    assert.equal(await cache.get("cell", produce, 999), 7, "then served from memory");
    assert.equal(reads, 1);
  });

  it("does not keep a failed read: the next request tries again", async () => {
    const cache = new MemoryCache<number>(1000, 10);
    let reads = 0;
    const failing = async () => {
      reads += 1;
      throw new Error("unavailable");
    };
    const results = await Promise.allSettled([cache.get("cell", failing, 0), cache.get("cell", failing, 0)]);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected"]);
    assert.equal(reads, 1, "the concurrent misses shared the one failed read");
    assert.equal(await cache.get("cell", async () => 8, 1), 8);
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
