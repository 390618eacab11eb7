import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decide, type BucketState } from "../../src/shared/rate-limit";

const limit = { max: 3, windowSeconds: 60 };

function burst(calls: number, startMs: number, stepMs: number, initial?: BucketState) {
  let state = initial;
  const outcomes: (true | number)[] = [];
  for (let i = 0; i < calls; i += 1) {
    const decision = decide(state, startMs + i * stepMs, limit);
    if (decision.allowed) {
      state = decision.next;
      outcomes.push(true);
    } else outcomes.push(decision.retryAfterSeconds);
  }
  return { outcomes, state };
}

describe("token-bucket rate limit", () => {
  it("allows a burst of max calls, then refuses with a retry-after hint", () => {
    const { outcomes } = burst(4, 1_000_000, 10);
    assert.deepEqual(outcomes.slice(0, 3), [true, true, true]);
    // Refill is 3 per 60 s: one token takes 20 s.
    assert.equal(outcomes[3], 20);
  });

  it("refills at max per window, so a steady caller at the rate is never refused", () => {
    const { outcomes } = burst(30, 0, 20_000);
    assert.ok(outcomes.every((o) => o === true));
  });

  it("gives no double budget at a window edge (unlike fixed windows)", () => {
    const first = burst(3, 59_900, 10);
    const second = burst(3, 60_100, 10, first.state);
    assert.deepEqual(second.outcomes.filter((o) => o === true).length, 0);
  });

  it("never stores more than max tokens after a long idle time", () => {
    const decision = decide({ tokens: 0, updatedAtMs: 0 }, 10 * 3_600_000, limit);
    assert.ok(decision.allowed);
    assert.equal(decision.allowed && decision.next.tokens, 2);
  });

  it("treats a missing bucket as full", () => {
    const decision = decide(undefined, 5, limit);
    assert.deepEqual(decision, { allowed: true, next: { tokens: 2, updatedAtMs: 5 } });
  });
});
