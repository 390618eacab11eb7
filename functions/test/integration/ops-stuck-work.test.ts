/**
 * The stuck-work detector against the emulators (run in-process, as the scheduled function runs
 * it): a stuck order is flagged and logged once, a backlog item gets one alert record, a second
 * run adds nothing, and what moved on is resolved. Then `npm run ops:status` as an operator runs
 * it, as a child process.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, afterEach, beforeEach, describe, it, mock } from "node:test";
import { Timestamp } from "firebase-admin/firestore";
import { detectStuckWork } from "../../src/ops/stuck-work.service";
import { sweepStalledOrders } from "../../src/orders/stall-sweep.service";
import { log } from "../../src/shared/log";
import { admin } from "../support/emulators";
import { kitchen, orderWhere, placedOrder } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");
const MINUTE = 60_000;
const cleanup: string[] = [];
let errors: ReturnType<typeof mock.method<typeof log, "error">>;

beforeEach(() => {
  errors = mock.method(log, "error");
});
afterEach(() => mock.restoreAll());
after(async () => {
  await Promise.all(cleanup.map((path) => admin().db.doc(path).delete()));
});

/** The `ops.stuck-work-detected` lines logged about `id`. */
const detectedLines = (id: string) => errors.mock.calls.filter((call) => call.arguments[0] === "ops.stuck-work-detected" && (call.arguments[2] as { id?: string })?.id === id);

async function put(path: string, data: Record<string, unknown>): Promise<string> {
  cleanup.push(path);
  await admin().db.doc(path).set(data);
  return path.split("/")[1];
}

/** A placed order whose acceptance deadline passed `minutesLate` minutes ago and nothing enforced it. */
function stuckPlacedOrder(minutesLate: number) {
  const now = Date.now();
  return { status: "placed", restaurantId: "ops-test", acceptBy: Timestamp.fromMillis(now - minutesLate * MINUTE), updatedAt: Timestamp.fromMillis(now - (minutesLate + 10) * MINUTE) };
}

describe("ops-detectStuckWork", () => {
  it("flags a stuck order once: a second run neither flags nor logs it again; it is cleared once it moves on", async () => {
    const id = await put(`orders/ops-stuck-${randomUUID()}`, stuckPlacedOrder(11));

    const first = await detectStuckWork();
    assert.deepEqual(first.flagged.filter((f) => f.id === id).map((f) => [f.kind, f.state]), [["order", "placed"]]);
    const flagged = await admin().db.doc(`orders/${id}`).get();
    assert.equal(flagged.get("attention.reason"), "stuck-in-state");
    assert.equal(flagged.get("attention.state"), "placed");
    assert.match(flagged.get("attention.message") as string, /longer than expected/);
    assert.equal(detectedLines(id).length, 1);
    assert.deepEqual(Object.keys(detectedLines(id)[0].arguments[2] as object).sort(), ["ageMinutes", "id", "kind", "state"]);

    const second = await detectStuckWork();
    assert.deepEqual(second.flagged.filter((f) => f.id === id), []);
    assert.equal(detectedLines(id).length, 1, "logged again on the second run");
    assert.deepEqual((await admin().db.doc(`orders/${id}`).get()).get("attention.since"), flagged.get("attention.since"));

    await admin().db.doc(`orders/${id}`).update({ status: "accepted", acceptedAt: Timestamp.now() });
    const third = await detectStuckWork();
    assert.ok(third.resolved.includes(`orders/${id}`), JSON.stringify(third.resolved));
    assert.equal((await admin().db.doc(`orders/${id}`).get()).get("attention"), undefined);
  });

  it("leaves an order flagged for another reason alone", async () => {
    const id = await put(`orders/ops-stuck-${randomUUID()}`, { ...stuckPlacedOrder(12), attention: { reason: "payment-mismatch", message: "m" } });
    const run = await detectStuckWork();
    assert.deepEqual(run.flagged.filter((f) => f.id === id), []);
    assert.equal((await admin().db.doc(`orders/${id}`).get()).get("attention.reason"), "payment-mismatch");
  });

  it("opens one alert record per dead letter and stuck claim, once, and resolves it when the item is settled", async () => {
    const now = Date.now();
    const letter = await put(`deadLetters/ops-dl-${randomUUID()}`, { handler: "ops-test", source: "task", eventId: "e1", status: "open", recordedAt: Timestamp.fromMillis(now - MINUTE) });
    const claim = await put(`notifications/ops-n-${randomUUID()}`, { status: "sending", channel: "push", sendingSince: Timestamp.fromMillis(now - 30 * MINUTE), leaseExpiresAt: Timestamp.fromMillis(now - 13 * MINUTE) });
    cleanup.push(`opsAlerts/dead-letter:${letter}`, `opsAlerts/notification-sending:${claim}`);

    const first = await detectStuckWork();
    assert.deepEqual(first.flagged.filter((f) => [letter, claim].includes(f.id)).map((f) => f.kind).sort(), ["dead-letter", "notification-sending"]);
    const alert = await admin().db.doc(`opsAlerts/dead-letter:${letter}`).get();
    assert.deepEqual([alert.get("kind"), alert.get("state"), alert.get("status"), alert.get("sourcePath")], ["dead-letter", "open", "open", `deadLetters/${letter}`]);
    assert.equal((await admin().db.doc(`opsAlerts/notification-sending:${claim}`).get()).get("state"), "sending");
    assert.equal(detectedLines(letter).length + detectedLines(claim).length, 2);

    const second = await detectStuckWork();
    assert.deepEqual(second.flagged.filter((f) => [letter, claim].includes(f.id)), []);
    assert.equal(detectedLines(letter).length + detectedLines(claim).length, 2, "logged again on the second run");

    await admin().db.doc(`deadLetters/${letter}`).update({ status: "resolved" });
    const third = await detectStuckWork();
    assert.ok(third.resolved.includes(`opsAlerts/dead-letter:${letter}`), JSON.stringify(third.resolved));
    assert.equal((await admin().db.doc(`opsAlerts/dead-letter:${letter}`).get()).get("status"), "resolved");
    assert.equal((await admin().db.doc(`opsAlerts/notification-sending:${claim}`).get()).get("status"), "open");
  });
});

describe("the stall sweep next to flagged orders", () => {
  it("still re-drives a newly stalled order when a full batch of older, flagged ones waits in the same state", async () => {
    // Flagged orders stay in their state until a person acts, and the sweep leaves them alone
    // (follow-ups.ts): they must not take the batch from the orders it can still save.
    const batch = admin().db.batch();
    const since = Date.parse("2001-01-01T00:00:00Z");
    for (let i = 0; i < 101; i += 1) {
      const path = `orders/ops-flagged-${randomUUID()}`;
      cleanup.push(path);
      batch.set(admin().db.doc(path), { status: "placed", restaurantId: "ops-test", acceptBy: Timestamp.fromMillis(since + i * MINUTE), updatedAt: Timestamp.fromMillis(since), attention: { reason: "stuck-in-state", state: "placed" } });
    }
    await batch.commit();
    const k = await kitchen();
    // Cash: no other sweep query (an authorized card payment's) finds it by another way.
    const { orderId } = await placedOrder(k, "cash");
    await Promise.all([k.staff.close(), k.customer.close()]);
    await admin().db.doc(`orders/${orderId}`).update({ acceptBy: Timestamp.fromMillis(Date.now() - 30 * MINUTE) });

    const redriven = await sweepStalledOrders();
    assert.ok(redriven["acceptance-deadline-not-enforced"]?.includes(orderId), JSON.stringify(redriven));
    await orderWhere(orderId, (o) => o.status === "cancelled");
  });
});

describe("npm run ops:status", () => {
  const status = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "ops", "status.ts"), ...args], { cwd: REPO, encoding: "utf8", env, timeout: 60_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  };

  it("lists a stuck order made here and exits 2; with --json the output parses", async () => {
    const id = await put(`orders/ops-status-${randomUUID()}`, stuckPlacedOrder(11));

    const json = status(["--json"]);
    assert.equal(json.code, 2, json.stderr);
    const report = JSON.parse(json.stdout) as { emulator: boolean; stuck: { id: string; kind: string; state: string; flagged: boolean }[]; alerts: string[]; ordersByState: { state: string; count: number }[] };
    assert.equal(report.emulator, true);
    assert.deepEqual(report.stuck.filter((f) => f.id === id).map((f) => [f.kind, f.state, f.flagged]), [["order", "placed", false]]);
    assert.ok(report.alerts.some((a) => a.startsWith("stuck work")), JSON.stringify(report.alerts));
    assert.ok(report.ordersByState.find((s) => s.state === "placed")!.count >= 1);

    const text = status([]);
    assert.equal(text.code, 2, text.stderr);
    assert.match(text.stdout, new RegExp(`order\\s+${id}\\s+placed\\s+11 min`));
    assert.match(text.stdout, /^ALERT: /m);

    // Read-only: the order is not flagged by looking at it.
    assert.equal((await admin().db.doc(`orders/${id}`).get()).get("attention"), undefined);
  });

  it("says in one line that the target cannot be reached, and exits 1", () => {
    const run = status(["--json"], { ...process.env, FIRESTORE_EMULATOR_HOST: "127.0.0.1:1" });
    assert.equal(run.code, 1, run.stdout);
    assert.match(run.stderr.trim(), /^ops:status: cannot reach Firestore of emulators \(demo-food-delivery, Firestore at 127\.0\.0\.1:1\): /);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  });
});
