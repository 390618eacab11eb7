import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InFlightLimiter, ShedError } from "../../src/shared/load-shedding";

/** A piece of work that runs until `finish` is called. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("per-key in-flight limiter", () => {
  it("runs maxInFlight at once, queues maxQueued, and sheds the rest at once without running them", async () => {
    const limiter = new InFlightLimiter(() => ({ maxInFlight: 2, maxQueued: 1, maxWaitMs: 10_000 }));
    const a = held();
    const b = held();
    const ran: string[] = [];
    const first = limiter.run(["item"], () => (ran.push("a"), a.work()));
    const second = limiter.run(["item"], () => (ran.push("b"), b.work()));
    const third = limiter.run(["item"], async () => void ran.push("c"));
    await tick();
    assert.deepEqual(limiter.load("item"), { inFlight: 2, queued: 1 });
    const fourth = limiter.run(["item"], async () => void ran.push("d"));
    await assert.rejects(fourth, (error: unknown) => error instanceof ShedError && error.shedCause === "queue-full");
    assert.deepEqual(ran, ["a", "b"]);
    a.finish();
    await first;
    await third;
    assert.deepEqual(ran, ["a", "b", "c"]);
    b.finish();
    await second;
    assert.deepEqual(limiter.load("item"), { inFlight: 0, queued: 0 });
  });

  it("sheds a waiter whose wait passes maxWaitMs, and the turn it never had stays free", async () => {
    const limiter = new InFlightLimiter(() => ({ maxInFlight: 1, maxQueued: 5, maxWaitMs: 30 }));
    const a = held();
    const first = limiter.run(["item"], a.work);
    const started = Date.now();
    await assert.rejects(limiter.run(["item"], async () => "late"), (error: unknown) => error instanceof ShedError && error.shedCause === "wait-timeout");
    assert.ok(Date.now() - started < 1_000, "the waiter was refused near maxWaitMs, not at some far deadline");
    assert.deepEqual(limiter.load("item"), { inFlight: 1, queued: 0 });
    a.finish();
    await first;
    assert.equal(await limiter.run(["item"], async () => "next"), "next");
    assert.deepEqual(limiter.load("item"), { inFlight: 0, queued: 0 });
  });

  it("keeps keys apart, and gives every turn back when the work throws", async () => {
    const limiter = new InFlightLimiter(() => ({ maxInFlight: 1, maxQueued: 0, maxWaitMs: 0 }));
    const a = held();
    const first = limiter.run(["hot"], a.work);
    assert.equal(await limiter.run(["other"], async () => "ok"), "ok");
    await assert.rejects(limiter.run(["other", "hot"], async () => "never"), ShedError);
    // The refused caller held "other" for a moment; it gave it back.
    assert.deepEqual(limiter.load("other"), { inFlight: 0, queued: 0 });
    await assert.rejects(limiter.run(["other"], async () => { throw new Error("boom"); }), /boom/);
    assert.deepEqual(limiter.load("other"), { inFlight: 0, queued: 0 });
    a.finish();
    await first;
    assert.deepEqual(limiter.load("hot"), { inFlight: 0, queued: 0 });
  });
});
