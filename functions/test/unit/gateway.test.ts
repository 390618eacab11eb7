import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpsError } from "firebase-functions/v2/https";
import { z } from "zod";
import { handleCall, type CallableImpl, type CallableSpec, type GatewayDeps } from "../../src/shared/callable";
import { DomainError, resourceExhausted } from "../../src/shared/errors";
import type { RateLimit } from "../../src/shared/rate-limit";

const Input = z.strictObject({ quantity: z.number().int().positive(), note: z.string().max(5).optional() });

function fixture(overrides: { spec?: Partial<CallableSpec>; run?: CallableImpl<z.infer<typeof Input>, unknown>["run"]; limited?: boolean; revoked?: boolean; appCheckEnforced?: boolean; minAppVersion?: string } = {}) {
  const calls = { run: 0, rateLimit: [] as string[], sessionChecks: [] as string[] };
  const spec: CallableSpec = { name: "test-thing", access: "signed-in", rateLimit: { max: 1, windowSeconds: 60 }, ...overrides.spec };
  const impl: CallableImpl<z.infer<typeof Input>, unknown> = {
    input: Input,
    run: async (input, caller) => {
      calls.run += 1;
      return overrides.run ? overrides.run(input, caller) : { ok: true, correlationId: caller.correlationId, role: caller.role };
    },
  };
  const deps: GatewayDeps = {
    consumeRateLimit: async (key: string, _limit: RateLimit) => {
      calls.rateLimit.push(key);
      if (overrides.limited) throw resourceExhausted("Too many requests.", 17);
    },
    defaultRateLimit: () => ({ max: 60, windowSeconds: 60 }),
    assertSessionCurrent: async (uid) => {
      calls.sessionChecks.push(uid);
      if (overrides.revoked) throw new DomainError("unauthenticated", "Your session has ended. Sign in again.", { reason: "session-revoked" });
    },
    appCheckEnforced: () => overrides.appCheckEnforced ?? false,
    minAppVersion: () => overrides.minAppVersion ?? "0.0.0",
  };
  const call = (request: { data?: unknown; auth?: { uid: string; token: Record<string, unknown> }; headers?: Record<string, string>; app?: { appId: string } }) =>
    handleCall(spec, async () => impl, {
      data: request.data,
      auth: request.auth as never,
      app: request.app as never,
      // As Google's front end passes it: a hop the client made up, then the address it saw.
      rawRequest: { headers: { "x-forwarded-for": "198.51.100.1, 203.0.113.7", ...request.headers }, ip: "10.0.0.2", socket: { remoteAddress: "10.0.0.2" } } as never,
    }, deps);
  return { call, calls };
}

const customer = { uid: "u1", token: { role: "customer" } };

async function rejection(promise: Promise<unknown>): Promise<HttpsError> {
  const error = await promise.then(
    () => assert.fail("expected the call to be refused"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof HttpsError, `expected an HttpsError, got ${String(error)}`);
  return error;
}

describe("callable gateway", () => {
  it("refuses a caller who is not signed in with unauthenticated", async () => {
    const { call, calls } = fixture();
    const error = await rejection(call({ data: { quantity: 1 } }));
    assert.equal(error.code, "unauthenticated");
    assert.equal(calls.run, 0);
  });

  it("lets anyone call a public callable and rate-limits them by address", async () => {
    const { call, calls } = fixture({ spec: { access: "public" } });
    const result = (await call({ data: { quantity: 1 } })) as { role: string };
    assert.equal(result.role, "anonymous");
    assert.deepEqual(calls.rateLimit, ["test-thing:ip:203.0.113.7"]);
  });

  it("refuses a role that is not allowed with permission-denied", async () => {
    const { call, calls } = fixture({ spec: { access: ["admin", "staff"] } });
    const error = await rejection(call({ data: { quantity: 1 }, auth: customer }));
    assert.equal(error.code, "permission-denied");
    assert.equal((error.details as { reason: string }).reason, "role-required");
    assert.equal(calls.run, 0);
  });

  it("treats a user without a role claim as a customer", async () => {
    const { call } = fixture();
    const result = (await call({ data: { quantity: 1 }, auth: { uid: "u2", token: {} } })) as { role: string };
    assert.equal(result.role, "customer");
  });

  it("names every failing field of a malformed request and runs nothing", async () => {
    const { call, calls } = fixture();
    const error = await rejection(call({ data: { quantity: -2, note: "far too long", extra: 1 }, auth: customer }));
    assert.equal(error.code, "invalid-argument");
    const fields = (error.details as { fields: { path: string }[] }).fields.map((f) => f.path).sort();
    assert.deepEqual(fields, ["extra", "note", "quantity"]);
    assert.match(error.message, /quantity/);
    assert.equal(calls.run, 0);
    assert.deepEqual(calls.rateLimit, [], "a malformed request must not even touch the rate-limit counter");
  });

  it("refuses an oversized request before parsing it", async () => {
    const { call, calls } = fixture({ spec: { maxPayloadBytes: 100 } });
    const error = await rejection(call({ data: { quantity: 1, note: "x".repeat(500) }, auth: customer }));
    assert.equal(error.code, "invalid-argument");
    assert.match(error.message, /too large/);
    assert.equal(calls.run, 0);
  });

  it("answers resource-exhausted with a retry-after hint when the limit is reached", async () => {
    const { call, calls } = fixture({ limited: true });
    const error = await rejection(call({ data: { quantity: 1 }, auth: customer }));
    assert.equal(error.code, "resource-exhausted");
    assert.equal((error.details as { retryAfterSeconds: number }).retryAfterSeconds, 17);
    assert.deepEqual(calls.rateLimit, ["test-thing:u1"]);
    assert.equal(calls.run, 0);
  });

  it("hides unknown errors behind internal, with the correlation id and no upstream message", async () => {
    const { call } = fixture({
      run: async () => {
        throw new Error("connection string postgres://secret@db");
      },
    });
    const error = await rejection(call({ data: { quantity: 1 }, auth: customer, headers: { "x-correlation-id": "corr-12345678" } }));
    assert.equal(error.code, "internal");
    assert.doesNotMatch(error.message, /secret|postgres/);
    assert.equal((error.details as { correlationId: string }).correlationId, "corr-12345678");
  });

  it("uses the caller's correlation id when it is well-formed and makes one otherwise", async () => {
    const { call } = fixture({ spec: { rateLimit: "none" } });
    const kept = (await call({ data: { quantity: 1 }, auth: customer, headers: { "x-correlation-id": "app-req-0001" } })) as { correlationId: string };
    assert.equal(kept.correlationId, "app-req-0001");
    const replaced = (await call({ data: { quantity: 1 }, auth: customer, headers: { "x-correlation-id": "bad id\nwith newline" } })) as { correlationId: string };
    assert.match(replaced.correlationId, /^[0-9a-f-]{36}$/);
  });

  it("uses the default limit when a callable declares none", async () => {
    const { call, calls } = fixture({ spec: { rateLimit: undefined } });
    await call({ data: { quantity: 1 }, auth: customer });
    assert.equal(calls.rateLimit.length, 1);
  });

  it("checks the session of staff, courier and admin callers before any work, and refuses a revoked one", async () => {
    for (const role of ["staff", "courier", "admin"]) {
      const { call, calls } = fixture({ revoked: true });
      const error = await rejection(call({ data: { quantity: 1 }, auth: { uid: `u-${role}`, token: { role, auth_time: 1 } } }));
      assert.equal(error.code, "unauthenticated", role);
      assert.equal((error.details as { reason: string }).reason, "session-revoked");
      assert.deepEqual(calls.sessionChecks, [`u-${role}`]);
      assert.equal(calls.run, 0);
      assert.deepEqual(calls.rateLimit, [], "a revoked session does not spend the budget");
    }
  });

  it("leaves customers' sessions unchecked unless the callable asks for it", async () => {
    const plain = fixture();
    await plain.call({ data: { quantity: 1 }, auth: customer });
    assert.deepEqual(plain.calls.sessionChecks, []);
    const asking = fixture({ spec: { checkRevoked: true }, revoked: true });
    const error = await rejection(asking.call({ data: { quantity: 1 }, auth: customer }));
    assert.equal((error.details as { reason: string }).reason, "session-revoked");
  });

  it("requires a verified app when APP_CHECK_ENFORCED is on, read per call, and runs nothing without one", async () => {
    const enforced = fixture({ appCheckEnforced: true });
    const error = await rejection(enforced.call({ data: { quantity: 1 }, auth: customer }));
    assert.equal(error.code, "unauthenticated");
    assert.equal((error.details as { reason: string }).reason, "app-check-required");
    assert.equal(enforced.calls.run, 0);
    assert.deepEqual(enforced.calls.rateLimit, []);
    await enforced.call({ data: { quantity: 1 }, auth: customer, app: { appId: "1:android" } });
    assert.equal(enforced.calls.run, 1);
    const exempt = fixture({ appCheckEnforced: true, spec: { enforceAppCheck: false } });
    await exempt.call({ data: { quantity: 1 }, auth: customer });
    assert.equal(exempt.calls.run, 1, "a callable's own enforceAppCheck overrides the param");
  });

  it("returns the correlation id in every object answer, the caller's own when it sent one", async () => {
    const { call } = fixture({ run: async () => ({ orderId: "o1" }) });
    const answer = (await call({ data: { quantity: 1 }, auth: customer })) as { orderId: string; correlationId: string };
    assert.equal(answer.orderId, "o1");
    assert.match(answer.correlationId, /^[0-9a-f-]{36}$/);
    const mine = "3b0d6a56-5f0e-4d7a-9f57-7c1f3e7d2a10";
    const echoed = (await fixture({ run: async () => ({ orderId: "o2" }) }).call({ data: { quantity: 1 }, auth: customer, headers: { "x-correlation-id": mine } })) as { correlationId: string };
    assert.equal(echoed.correlationId, mine);
  });
});

describe("callable gateway: app version (MIN_APP_VERSION)", () => {
  const details = (error: HttpsError) => error.details as { reason?: string; minAppVersion?: string; fields?: { path: string }[] };

  it("takes the app's version off the request before the schema sees it", async () => {
    const { call, calls } = fixture({ minAppVersion: "1.2.0" });
    const result = (await call({ data: { quantity: 1, contractVersion: "1.2.0" }, auth: customer })) as { ok: boolean };
    assert.equal(result.ok, true, "a strict schema would refuse the unknown key");
    assert.equal(calls.run, 1);
  });

  it("tells an app older than MIN_APP_VERSION to update, naming the minimum, and runs nothing", async () => {
    const { call, calls } = fixture({ minAppVersion: "1.10.0" });
    const error = await rejection(call({ data: { quantity: 1, contractVersion: "1.9.7" }, auth: customer }));
    assert.equal(error.code, "failed-precondition");
    assert.equal(details(error).reason, "app-update-required");
    assert.equal(details(error).minAppVersion, "1.10.0", "compared as numbers: 1.9.7 < 1.10.0");
    assert.deepEqual(details(error).fields?.map((f) => f.path), ["contractVersion"]);
    assert.match(error.message, /1\.10\.0/);
    assert.equal(calls.run, 0);
    assert.deepEqual(calls.rateLimit, [], "a refused app spends no rate limit");
  });

  it("refuses an app that sends no version while MIN_APP_VERSION is set, before sign-in is checked", async () => {
    const { call, calls } = fixture({ minAppVersion: "1.0.0" });
    const error = await rejection(call({ data: { quantity: 1 } }));
    assert.equal(error.code, "failed-precondition");
    assert.equal(details(error).reason, "app-update-required");
    assert.equal(calls.run, 0);
  });

  it("serves newer apps, and every app when MIN_APP_VERSION is 0.0.0 or empty", async () => {
    assert.equal(((await fixture({ minAppVersion: "1.2.3" }).call({ data: { quantity: 1, contractVersion: "2.0.0" }, auth: customer })) as { ok: boolean }).ok, true);
    assert.equal(((await fixture({ minAppVersion: "0.0.0" }).call({ data: { quantity: 1 }, auth: customer })) as { ok: boolean }).ok, true);
    assert.equal(((await fixture({ minAppVersion: "" }).call({ data: { quantity: 1, contractVersion: "0.0.1" }, auth: customer })) as { ok: boolean }).ok, true);
  });

  it("answers invalid-argument for a malformed version, even with the check off", async () => {
    const { call, calls } = fixture();
    const error = await rejection(call({ data: { quantity: 1, contractVersion: "1.2" }, auth: customer }));
    assert.equal(error.code, "invalid-argument");
    assert.deepEqual(details(error).fields?.map((f) => f.path), ["contractVersion"]);
    assert.equal(calls.run, 0);
  });
});
