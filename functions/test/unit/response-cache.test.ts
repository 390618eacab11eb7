import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
