import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exportLazily } from "../../src/shared/lazy-exports";

describe("lazy exports", () => {
  it("loads an export on first access only, once, and keeps it enumerable for discovery", () => {
    const loads: string[] = [];
    const target = {};
    exportLazily(target, {
      a: () => (loads.push("a"), { name: "a" }),
      b: () => (loads.push("b"), { name: "b" }),
    });
    assert.deepEqual(loads, []);
    const a = (target as { a: unknown }).a;
    assert.deepEqual(loads, ["a"]);
    assert.equal((target as { a: unknown }).a, a);
    assert.deepEqual(loads, ["a"]);
    assert.deepEqual(Object.keys(target), ["a", "b"]);
    assert.deepEqual(Object.values(target), [{ name: "a" }, { name: "b" }]);
    assert.deepEqual(loads, ["a", "b"]);
  });
});
