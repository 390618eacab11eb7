/**
 * The callable gateway as the app meets it, through the Functions emulator: who may call,
 * what a malformed request gets back, and the per-user rate limit.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { getAuth, signInWithEmailAndPassword } from "firebase/auth";
import { APP_VERSION_KEY, CALLABLES, CONTRACT_VERSION, SetUserRoleResponse } from "../../src/contract";
import { startProbe } from "../../src/diagnostics/start-probe.function";
import { admin, callError, signInWithRole, signUp, type AppClient } from "../support/emulators";

describe("callable gateway", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);

  it("answers permission-denied to a role that may not call", async () => {
    const customer = track(await signUp());
    const error = await callError(customer.call(CALLABLES.setUserRole, { uid: customer.user.uid, role: "admin" }));
    assert.equal(error.code, "functions/permission-denied");
    const claims = (await admin().auth.getUser(customer.user.uid)).customClaims ?? {};
    assert.equal(claims.role, undefined, "the customer did not become an admin");
  });

  it("names the failing fields of a malformed request and writes nothing", async () => {
    const app = track(await signUp());
    const error = await callError(app.call(CALLABLES.startProbe, { label: 42, color: "red" }));
    assert.equal(error.code, "functions/invalid-argument");
    const fields = (error.details.fields as { path: string; message: string }[]).map((f) => f.path).sort();
    assert.deepEqual(fields, ["color", "label"]);
    assert.match(error.message, /label/);
    assert.match(error.message, /color/, "the unknown key is named");
    const written = await admin().db.collection("probes").where("uid", "==", app.user.uid).get();
    assert.equal(written.size, 0);
  });

  it("answers resource-exhausted with a retry-after hint beyond the per-user limit", async () => {
    const app = track(await signUp());
    // startProbe allows a burst of 3 per user, refilling at 3 per minute.
    for (let i = 0; i < 3; i += 1) await app.call(CALLABLES.startProbe, {});
    const error = await callError(app.call(CALLABLES.startProbe, {}));
    assert.equal(error.code, "functions/resource-exhausted");
    assert.equal(error.details.reason, "rate-limited");
    const retryAfter = Number(error.details.retryAfterSeconds);
    assert.ok(retryAfter >= 1 && retryAfter <= 20, `retryAfterSeconds ${retryAfter}`);

    const other = track(await signUp());
    await other.call(CALLABLES.startProbe, {});
  });

  it("lets an admin grant a role, audited, carried by the user's next sign-in", async () => {
    const adminUser = track(await signInWithRole("admin"));
    const target = track(await signUp());
    const result = SetUserRoleResponse.parse(
      await adminUser.call(CALLABLES.setUserRole, { uid: target.user.uid, role: "staff", restaurantIds: ["r1"] }),
    );
    assert.deepEqual(result, { uid: target.user.uid, role: "staff", restaurantIds: ["r1"] });

    // A role change ends the user's sessions (see sessions.test.ts); signing in again brings the claims.
    await signInWithEmailAndPassword(getAuth(target.app), target.user.email!, "correct-horse-battery");
    const token = await getAuth(target.app).currentUser!.getIdTokenResult();
    assert.equal(token.claims.role, "staff");
    assert.deepEqual(token.claims.restaurantIds, ["r1"]);

    const audit = await admin().db.collection("auditLog").where("targetUid", "==", target.user.uid).get();
    assert.equal(audit.size, 1);
    assert.equal(audit.docs[0].get("actorUid"), adminUser.user.uid);
    assert.deepEqual(audit.docs[0].get("after"), { role: "staff", restaurantIds: ["r1"] });
  });

  it("refuses staff without restaurants and an unknown user precisely", async () => {
    const adminUser = track(await signInWithRole("admin"));
    const noRestaurants = await callError(adminUser.call(CALLABLES.setUserRole, { uid: adminUser.user.uid, role: "staff" }));
    assert.equal(noRestaurants.code, "functions/invalid-argument");
    assert.deepEqual((noRestaurants.details.fields as { path: string }[]).map((f) => f.path), ["restaurantIds"]);

    const unknown = await callError(adminUser.call(CALLABLES.setUserRole, { uid: "no-such-user", role: "courier" }));
    assert.equal(unknown.code, "functions/not-found");
    assert.equal(unknown.details.reason, "user-not-found");
  });
});

describe("callable gateway: the app's contract version", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);
  const probesOf = async (uid: string) => (await admin().db.collection("probes").where("uid", "==", uid).get()).size;

  it("takes the version off the request before the callable's strict schema sees it", async () => {
    const app = track(await signUp());
    const answer = await app.call<{ probeId: string }>(CALLABLES.startProbe, { label: "versioned", [APP_VERSION_KEY]: CONTRACT_VERSION });
    assert.match(answer.probeId, /\S/);
    assert.equal(await probesOf(app.user.uid), 1);
  });

  it("answers invalid-argument naming the field for a malformed version, and writes nothing", async () => {
    const app = track(await signUp());
    const error = await callError(app.call(CALLABLES.startProbe, { [APP_VERSION_KEY]: "v1" }));
    assert.equal(error.code, "functions/invalid-argument");
    assert.deepEqual((error.details.fields as { path: string }[]).map((f) => f.path), [APP_VERSION_KEY]);
    assert.equal(await probesOf(app.user.uid), 0);
  });

  it("with MIN_APP_VERSION set, tells an older app (or one sending none) to update and serves a current one", async (t) => {
    // The emulator serves every app (functions/.env.local); the deployed callable's own handler
    // runs here, in-process against the emulators, with the param set for this test only.
    const previous = process.env.MIN_APP_VERSION;
    process.env.MIN_APP_VERSION = "1.2.0";
    t.after(() => (previous === undefined ? delete process.env.MIN_APP_VERSION : (process.env.MIN_APP_VERSION = previous)));
    const app = track(await signUp());
    const request = (data: Record<string, unknown>) => ({
      data,
      auth: { uid: app.user.uid, token: { uid: app.user.uid } },
      rawRequest: { headers: {}, ip: "127.0.0.1", socket: { remoteAddress: "127.0.0.1" } },
    });
    const run = (data: Record<string, unknown>) => startProbe.run(request(data) as never) as Promise<unknown>;

    for (const data of [{ [APP_VERSION_KEY]: "1.1.9" }, {}]) {
      const error = (await run(data).then(
        () => assert.fail("an outdated app was served"),
        (e: unknown) => e,
      )) as { code: string; details: { reason?: string; minAppVersion?: string; fields?: { path: string }[] } };
      assert.equal(error.code, "failed-precondition");
      assert.equal(error.details.reason, "app-update-required");
      assert.equal(error.details.minAppVersion, "1.2.0");
      assert.deepEqual(error.details.fields?.map((f) => f.path), [APP_VERSION_KEY]);
    }
    assert.equal(await probesOf(app.user.uid), 0, "nothing ran for an outdated app");

    const served = (await run({ [APP_VERSION_KEY]: "1.2.0" })) as { probeId: string };
    assert.match(served.probeId, /\S/);
    assert.equal(await probesOf(app.user.uid), 1);
  });
});
