/**
 * The provider policies (shared/provider-policies.ts) on small numbers: the breaker opens after
 * its run of outages, refuses at once while open, lets one trial through after the cool-down and
 * closes or opens again on its outcome; refusals by the provider (a declined card) never trip
 * it; the timeout ends a call that does not answer; the bulkhead refuses beyond its queue; only
 * calls outside a task queue are retried. Each breaker change is an ops event.
 */
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { afterEach, beforeEach, describe, it } from "node:test";
import { log } from "../../src/shared/log";
import { OPS_EVENTS } from "../../src/shared/ops-events";
import { createProviderPolicy, ProviderRefused, ProviderTimeout, providerPolicySpecs, type ProviderPolicySpec } from "../../src/shared/provider-policies";

const COOL_DOWN_MS = 150;

function spec(overrides: Partial<ProviderPolicySpec> = {}): ProviderPolicySpec {
  return {
    timeoutMs: 200,
    breaker: { consecutiveFailures: 3, halfOpenAfterMs: COOL_DOWN_MS },
    bulkhead: { maxConcurrent: 2, queue: 1 },
    retries: 0,
    retryDelayMs: 1,
    isOutage: (error) => (error as { status?: number }).status === undefined || (error as { status: number }).status >= 500,
    ...overrides,
  };
}

const outage = () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }));
const declined = () => Promise.reject(Object.assign(new Error("card declined"), { status: 402 }));
const ok = () => Promise.resolve("ok");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Ops events logged while the test runs: name and provider. */
let events: { name: string; provider: unknown }[] = [];
const originals = { info: log.info, warn: log.warn, error: log.error };

describe("provider policies", () => {
  beforeEach(() => {
    events = [];
    log.info = (name, fields) => void events.push({ name, provider: fields?.provider });
    log.warn = (name, fields) => void events.push({ name, provider: fields?.provider });
    log.error = (name, _error, fields) => void events.push({ name, provider: fields?.provider });
  });
  afterEach(() => Object.assign(log, originals));

  it("opens after its run of outages and then refuses at once, without calling, with a retry-after", async () => {
    const policy = createProviderPolicy("stripe", spec());
    for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(outage), /ECONNREFUSED/);
    assert.deepEqual(policy.availability(), { available: false, retryAfterSeconds: 1 });
    let called = false;
    const started = Date.now();
    await assert.rejects(
      policy.execute(async () => ((called = true), "ok")),
      (error: unknown) => error instanceof ProviderRefused && error.why === "breaker-open" && error.code === "ECIRCUITOPEN" && error.retryAfterSeconds >= 1,
    );
    assert.equal(called, false, "an open breaker must not make the call");
    assert.ok(Date.now() - started < 50, "an open breaker answers at once");
    assert.deepEqual(policy.stats, { attempted: 3, shortCircuited: 1, bulkheadRejected: 0, timedOut: 0, failed: 3, succeeded: 0 });
    assert.deepEqual(events, [{ name: OPS_EVENTS.providerBreakerOpened.name, provider: "stripe" }]);
  });

  it("after the cool-down lets a trial through: success closes it, and calls flow again", async () => {
    const policy = createProviderPolicy("twilio", spec());
    for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(outage));
    await sleep(COOL_DOWN_MS + 20);
    assert.deepEqual(policy.availability(), { available: true }, "past the cool-down the next call is the trial");
    assert.equal(await policy.execute(ok), "ok");
    assert.deepEqual(policy.availability(), { available: true });
    assert.equal(await policy.execute(ok), "ok");
    assert.deepEqual(
      events.map((e) => e.name),
      [OPS_EVENTS.providerBreakerOpened.name, OPS_EVENTS.providerBreakerHalfOpen.name, OPS_EVENTS.providerBreakerClosed.name],
    );
  });

  it("a failed trial opens it again for another cool-down; other calls are refused while the trial runs", async () => {
    const policy = createProviderPolicy("fcm", spec());
    for (let i = 0; i < 3; i++) await assert.rejects(policy.execute(outage));
    await sleep(COOL_DOWN_MS + 20);
    const trial = policy.execute(() => sleep(50).then(outage));
    await sleep(5);
    assert.deepEqual(policy.availability(), { available: false, retryAfterSeconds: 1 }, "half-open: only the trial goes through");
    await assert.rejects(policy.execute(ok), (error: unknown) => error instanceof ProviderRefused && error.why === "breaker-open");
    await assert.rejects(trial, /ECONNREFUSED/);
    assert.equal(policy.availability().available, false);
    await assert.rejects(policy.execute(ok), ProviderRefused);
    assert.deepEqual(
      events.map((e) => e.name),
      [OPS_EVENTS.providerBreakerOpened.name, OPS_EVENTS.providerBreakerHalfOpen.name, OPS_EVENTS.providerBreakerOpened.name],
    );
  });

  it("refusals by the provider (a declined card) and a success in between never open it", async () => {
    const policy = createProviderPolicy("stripe", spec());
    for (let i = 0; i < 5; i++) await assert.rejects(policy.execute(declined), /declined/);
    await assert.rejects(policy.execute(outage));
    await assert.rejects(policy.execute(outage));
    await policy.execute(ok);
    await assert.rejects(policy.execute(outage));
    await assert.rejects(policy.execute(outage));
    assert.deepEqual(policy.availability(), { available: true });
    assert.deepEqual(events, []);
  });

  it("ends a call that does not answer within its timeout, as a timeout that counts as an outage", async () => {
    const policy = createProviderPolicy("twilio", spec({ timeoutMs: 100, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 10_000 } }));
    const started = Date.now();
    let aborted = false;
    await assert.rejects(
      policy.execute((signal) => {
        signal.addEventListener("abort", () => (aborted = true));
        return new Promise(() => undefined);
      }),
      (error: unknown) => error instanceof ProviderTimeout && error.code === "ETIMEDOUT",
    );
    const took = Date.now() - started;
    assert.ok(took >= 90 && took < 1000, `timed out after ${took} ms`);
    assert.equal(aborted, true, "the call is told to stop");
    assert.equal(policy.stats.timedOut, 1);
    assert.equal(policy.availability().available, false, "a timeout counts against the breaker");
  });

  it("the bulkhead runs its calls, queues a few, and refuses beyond its queue without tripping the breaker", async () => {
    const policy = createProviderPolicy("fcm", spec({ timeoutMs: 5_000, bulkhead: { maxConcurrent: 2, queue: 1 }, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 10_000 } }));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = [0, 1, 2].map(() => policy.execute(() => gate.then(ok)));
    await sleep(5);
    await assert.rejects(policy.execute(ok), (error: unknown) => error instanceof ProviderRefused && error.why === "bulkhead-full" && error.code === "EBULKHEADFULL");
    release();
    assert.deepEqual(await Promise.all(running), ["ok", "ok", "ok"]);
    assert.deepEqual(policy.availability(), { available: true });
    assert.equal(policy.stats.bulkheadRejected, 1);
    assert.deepEqual(events, [{ name: OPS_EVENTS.providerBulkheadFull.name, provider: "fcm" }]);
  });

  it("a call that waited in the bulkhead runs in its own request's context, not the one that freed the slot", async () => {
    const policy = createProviderPolicy("stripe", spec({ timeoutMs: 5_000, bulkhead: { maxConcurrent: 1, queue: 2 } }));
    const request = new AsyncLocalStorage<string>();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inside: string[] = [];
    const runs = ["first", "second", "third"].map((name) => request.run(name, () => policy.execute(async () => {
      if (name === "first") await gate;
      inside.push(`${name}:${request.getStore()}`);
    })));
    await sleep(5);
    release();
    await Promise.all(runs);
    assert.deepEqual(inside.sort(), ["first:first", "second:second", "third:third"]);
  });

  it("retries an outage a bounded number of times outside a task queue, and never inside one", async () => {
    const policy = createProviderPolicy("stripe", spec({ retries: 1, breaker: { consecutiveFailures: 100, halfOpenAfterMs: COOL_DOWN_MS } }));
    let calls = 0;
    const flaky = () => (++calls === 1 ? outage() : ok());
    assert.equal(await policy.execute(flaky), "ok");
    assert.equal(calls, 2);

    calls = 0;
    await assert.rejects(policy.execute(outage2()), /ECONNREFUSED/);
    assert.equal(calls, 2, "one retry, then the outage is the answer");

    calls = 0;
    await assert.rejects(policy.execute(flaky, { inQueue: true }), /ECONNREFUSED/);
    assert.equal(calls, 1, "a task queue retries, not the policy");

    calls = 0;
    await assert.rejects(policy.execute(() => (calls++, declined())), /declined/);
    assert.equal(calls, 1, "a refusal is never retried");

    function outage2() {
      return () => (calls++, outage());
    }
  });

  it("the deployed specs: explicit timeouts inside the functions' budgets, retries only for Stripe", () => {
    const specs = providerPolicySpecs();
    // Checkout (60 s) makes up to three Stripe calls, each with one retry.
    assert.ok(3 * (1 + specs.stripe.retries) * specs.stripe.timeoutMs < 60_000, `stripe ${specs.stripe.timeoutMs} ms`);
    // notifications-deliver (60 s) may push and then text in one attempt.
    assert.ok(specs.twilio.timeoutMs + specs.fcm.timeoutMs < 60_000);
    assert.deepEqual([specs.twilio.retries, specs.fcm.retries], [0, 0]);
    for (const provider of ["stripe", "twilio", "fcm"] as const) {
      const s = specs[provider];
      assert.ok(s.timeoutMs > 0 && s.breaker.consecutiveFailures > 1 && s.breaker.halfOpenAfterMs > 0 && s.bulkhead.maxConcurrent > 0 && s.bulkhead.queue > 0, provider);
    }
  });
});
