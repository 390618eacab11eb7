/**
 * `ops-health` through the Functions emulator: who may read it, the report's shape, and that
 * a backlog this test adds shows in its count and turns the verdict degraded (503). Other tests
 * leave dead letters and flags behind in the shared emulator, so the assertions are about the
 * shape and about growth by what this test adds, never about a clean stack.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { Timestamp } from "firebase-admin/firestore";
import { admin, functionUrl, signInWithRole, signUp, type AppClient } from "../support/emulators";

const URL = functionUrl("ops-health");
const TOKEN = process.env.HEALTH_CHECK_TOKEN ?? "";
const DEPENDENCIES = ["firestore", "pubsub", "tasks"];
const BACKLOGS = ["openDeadLetters", "outboxLagging", "stuckSending", "attentionOrders", "stuckOrders"];

interface Check {
  ok: boolean;
  latencyMs: number;
  value?: number;
  limit?: number;
  detail?: string;
}

async function health(headers: Record<string, string>) {
  const response = await fetch(URL, { headers });
  return { status: response.status, body: (await response.json()) as { status?: string; checks: Record<string, Check>; error?: { code: string; details: { reason?: string } } } };
}

const withToken = () => health({ "x-health-token": TOKEN });
const cleanup: string[] = [];
const clients: AppClient[] = [];

after(async () => {
  await Promise.all(cleanup.map((path) => admin().db.doc(path).delete()));
  await Promise.all(clients.map((client) => client.close()));
});

describe("ops-health", () => {
  it("answers the uptime check with every check, each with its latency, and 200 exactly when ok", async () => {
    assert.ok(TOKEN, "HEALTH_CHECK_TOKEN missing from the test environment (functions/.secret.local)");
    const { status, body } = await withToken();
    assert.deepEqual(Object.keys(body.checks).sort(), [...DEPENDENCIES, ...BACKLOGS].sort());
    for (const name of DEPENDENCIES) assert.equal(body.checks[name].ok, true, `${name}: ${JSON.stringify(body.checks[name])}`);
    for (const check of Object.values(body.checks)) assert.equal(typeof check.latencyMs, "number");
    for (const name of BACKLOGS) {
      assert.equal(typeof body.checks[name].value, "number", name);
      assert.equal(typeof body.checks[name].limit, "number", name);
      assert.equal(body.checks[name].ok, body.checks[name].value! <= body.checks[name].limit!, name);
    }
    const allOk = Object.values(body.checks).every((check) => check.ok);
    assert.equal(body.status, allOk ? "ok" : "degraded");
    assert.equal(status, allOk ? 200 : 503);
  });

  it("counts a dead letter and a stuck order added now, and is degraded (503) past the limit", async () => {
    const before = (await withToken()).body.checks;
    const now = Date.now();
    const letter = `deadLetters/ops-health-${randomUUID()}`;
    const order = `orders/ops-health-${randomUUID()}`;
    cleanup.push(letter, order);
    await admin().db.doc(letter).set({ handler: "ops-health-test", source: "task", eventId: "e1", status: "open", recordedAt: Timestamp.fromMillis(now) });
    await admin().db.doc(order).set({ status: "placed", restaurantId: "ops-test", acceptBy: Timestamp.fromMillis(now - 30 * 60_000), updatedAt: Timestamp.fromMillis(now - 40 * 60_000) });

    const { status, body } = await withToken();
    assert.ok(body.checks.openDeadLetters.value! >= before.openDeadLetters.value! + 1, JSON.stringify([before.openDeadLetters, body.checks.openDeadLetters]));
    assert.ok(body.checks.stuckOrders.value! >= before.stuckOrders.value! + 1, JSON.stringify([before.stuckOrders, body.checks.stuckOrders]));
    // The emulator runs with the deployed limit of 0 open dead letters and 0 stuck orders.
    assert.equal(body.checks.openDeadLetters.limit, 0);
    assert.equal(body.checks.openDeadLetters.ok, false);
    assert.equal(body.status, "degraded");
    assert.equal(status, 503);
  });

  it("refuses a caller without credentials (401)", async () => {
    const { status, body } = await health({});
    assert.equal(status, 401);
    assert.equal(body.error?.code, "unauthenticated");
    assert.equal(body.error?.details.reason, "credentials-required");
    assert.equal(body.checks, undefined);
  });

  it("refuses a wrong health token (401)", async () => {
    const { status, body } = await health({ "x-health-token": `${TOKEN}-not` });
    assert.equal(status, 401);
    assert.equal(body.error?.details.reason, "invalid-health-token");
  });

  it("refuses a malformed ID token (401) and a customer's (403); accepts an admin's", async () => {
    assert.equal((await health({ authorization: "Bearer not-a-token" })).body.error?.details.reason, "invalid-id-token");
    const customer = await signUp();
    const staff = await signInWithRole("admin");
    clients.push(customer, staff);
    const refused = await health({ authorization: `Bearer ${await customer.user.getIdToken()}` });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error?.code, "permission-denied");
    assert.equal(refused.body.error?.details.reason, "role-required");
    const accepted = await health({ authorization: `Bearer ${await staff.user.getIdToken()}` });
    assert.ok([200, 503].includes(accepted.status), String(accepted.status));
    assert.ok(["ok", "degraded"].includes(accepted.body.status ?? ""), JSON.stringify(accepted.body));
  });
});
