/**
 * What counts as stuck (ops/stuck-work.ts) and the health verdict (ops/health.service.ts), on
 * fixed inputs: no emulator.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Timestamp } from "firebase-admin/firestore";
import { authorizeHealthReader, backlogResult, evaluateHealth, HEALTH_TOKEN_HEADER } from "../../src/ops/health.service";
import { backlogStuck, ORDER_STATE_LIMITS, orderStuck, OUTBOX_OVERDUE_MS, SENDING_PAST_LEASE_MS } from "../../src/ops/stuck-work";
import { ORDER_STATES, TERMINAL_STATES } from "../../src/orders/order-state";

const NOW = Date.parse("2026-11-30T12:00:00Z");
const MINUTE = 60_000;
const at = (ms: number) => Timestamp.fromMillis(ms);

describe("stuck work: the state -> max age table", () => {
  it("has an entry for every state a transition leaves (a new state without one fails here)", () => {
    const nonTerminal = ORDER_STATES.filter((state) => !TERMINAL_STATES.includes(state));
    assert.deepEqual(nonTerminal.filter((state) => !(state in ORDER_STATE_LIMITS)), []);
    assert.ok(nonTerminal.includes("picked_up") && nonTerminal.includes("placed"), nonTerminal.join(","));
  });

  it("has no entry for a terminal state (nothing can move it, so nothing can be late)", () => {
    assert.deepEqual(TERMINAL_STATES.filter((state) => state in ORDER_STATE_LIMITS), []);
  });

  it("flags a placed order 10 minutes past acceptBy, not a minute before", () => {
    assert.equal(orderStuck({ status: "placed", acceptBy: at(NOW - 9 * MINUTE) }, NOW), null);
    assert.deepEqual(orderStuck({ status: "placed", acceptBy: at(NOW - 11 * MINUTE) }, NOW), { state: "placed", clock: "acceptBy", ageMinutes: 11 });
  });

  it("counts accepted, preparing and ready from acceptance and picked_up from the last change", () => {
    assert.equal(orderStuck({ status: "accepted", acceptedAt: at(NOW - 46 * MINUTE), updatedAt: at(NOW) }, NOW)?.ageMinutes, 46);
    assert.equal(orderStuck({ status: "ready", acceptedAt: at(NOW - 100 * MINUTE) }, NOW), null);
    assert.equal(orderStuck({ status: "picked_up", acceptedAt: at(NOW - 500 * MINUTE), updatedAt: at(NOW - 30 * MINUTE) }, NOW), null);
    assert.equal(orderStuck({ status: "picked_up", updatedAt: at(NOW - 91 * MINUTE) }, NOW)?.state, "picked_up");
  });

  it("never flags delivered, cancelled or terminal orders, nor one without its clock", () => {
    for (const status of ["delivered", "cancelled", "rejected", "refunded", "expired"]) {
      assert.equal(orderStuck({ status, updatedAt: at(0), acceptedAt: at(0) }, NOW), null, status);
    }
    assert.equal(orderStuck({ status: "accepted" }, NOW), null);
  });
});

describe("stuck work: backlog items", () => {
  it("a claim is stuck once the ledger sweep had its chance after the lease", () => {
    const claim = (leaseMs: number) => ({ status: "sending", leaseExpiresAt: at(leaseMs), sendingSince: at(leaseMs - 10 * MINUTE) });
    assert.equal(backlogStuck("notification-sending", claim(NOW - SENDING_PAST_LEASE_MS + MINUTE), NOW), null);
    assert.deepEqual(backlogStuck("notification-sending", claim(NOW - SENDING_PAST_LEASE_MS - MINUTE), NOW), { state: "sending", ageMinutes: 23 });
    assert.equal(backlogStuck("notification-sending", { ...claim(0), status: "unknown" }, NOW), null);
  });

  it("an open dead letter is stuck at once, a resolved one never", () => {
    assert.deepEqual(backlogStuck("dead-letter", { status: "open", recordedAt: at(NOW - 5 * MINUTE) }, NOW), { state: "open", ageMinutes: 5 });
    assert.equal(backlogStuck("dead-letter", { status: "resolved", recordedAt: at(0) }, NOW), null);
    assert.equal(backlogStuck("dead-letter", undefined, NOW), null, "a deleted item is no longer stuck");
  });

  it("a broadcast is stuck when stalled, or running and silent for half an hour", () => {
    assert.equal(backlogStuck("broadcast-stalled", { status: "stalled", updatedAt: at(NOW) }, NOW)?.state, "stalled");
    assert.equal(backlogStuck("broadcast-stalled", { status: "running", updatedAt: at(NOW - 29 * MINUTE) }, NOW), null);
    assert.equal(backlogStuck("broadcast-stalled", { status: "running", updatedAt: at(NOW - 31 * MINUTE) }, NOW)?.state, "running");
    assert.equal(backlogStuck("broadcast-stalled", { status: "done", updatedAt: at(0) }, NOW), null);
  });

  it("an outbox record is stuck once the sweep should have published it", () => {
    assert.equal(backlogStuck("outbox-unpublished", { publishedAt: null, createdAt: at(NOW - OUTBOX_OVERDUE_MS + MINUTE) }, NOW), null);
    assert.equal(backlogStuck("outbox-unpublished", { publishedAt: null, createdAt: at(NOW - OUTBOX_OVERDUE_MS - MINUTE) }, NOW)?.state, "unpublished");
    assert.equal(backlogStuck("outbox-unpublished", { publishedAt: at(NOW), createdAt: at(0) }, NOW), null);
  });
});

describe("health verdict", () => {
  const reachable = { ok: true, latencyMs: 4 };

  it("is ok when every check is, degraded when any is not", () => {
    assert.equal(evaluateHealth({ firestore: reachable, openDeadLetters: { ...backlogResult(0, 0), latencyMs: 3 } }).status, "ok");
    const report = evaluateHealth({ firestore: reachable, openDeadLetters: { ...backlogResult(1, 0), latencyMs: 3 } });
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.openDeadLetters, { ok: false, value: 1, limit: 0, latencyMs: 3 });
  });

  it("tolerates a backlog up to its limit, inclusive", () => {
    assert.deepEqual(backlogResult(10, 10), { ok: true, value: 10, limit: 10 });
    assert.equal(backlogResult(11, 10).ok, false);
  });

  it("is degraded when a dependency does not answer", () => {
    assert.equal(evaluateHealth({ firestore: reachable, pubsub: { ok: false, latencyMs: 3000, detail: "no answer within 3000 ms" } }).status, "degraded");
  });
});

describe("health reader", () => {
  const request = (headers: Record<string, string>) => ({ get: (name: string) => headers[name.toLowerCase()] }) as never;

  it("admits the uptime check with the right token", async () => {
    assert.equal(await authorizeHealthReader(request({ [HEALTH_TOKEN_HEADER]: "s3cret-token" }), "s3cret-token"), "uptime-check");
  });

  it("refuses a wrong, a longer or an empty token, and any token when none is configured", async () => {
    for (const [presented, expected] of [["wrong", "s3cret-token"], ["s3cret-token-and-more", "s3cret-token"], ["", "s3cret-token"], ["", ""]]) {
      await assert.rejects(authorizeHealthReader(request({ [HEALTH_TOKEN_HEADER]: presented }), expected), { code: "unauthenticated", extra: { reason: "invalid-health-token" } }, `${presented}/${expected}`);
    }
  });

  it("refuses a caller with no credentials at all", async () => {
    await assert.rejects(authorizeHealthReader(request({}), "s3cret-token"), { code: "unauthenticated", extra: { reason: "credentials-required" } });
  });
});
