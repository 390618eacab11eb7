/**
 * The shared reliability mechanisms against the real Firestore and Pub/Sub emulators:
 * the processed-events ledger under redelivery, the shared rate-limit state, and dead letters
 * for messages that can never be processed.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { describe, it } from "node:test";
import { PubSub } from "@google-cloud/pubsub";
import { runOnce } from "../../src/shared/idempotency";
import { requestHash, withIdempotencyKey } from "../../src/shared/idempotency-keys";
import { firestoreValues } from "../../src/shared/firebase";
import { consumeRateLimit } from "../../src/shared/rate-limit";
import { TOPICS } from "../../src/shared/topics";
import { admin, PROJECT_ID } from "../support/emulators";

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("processed-events ledger", () => {
  it("applies an event's effect once however often it is delivered, even concurrently", async () => {
    const { db } = admin();
    const counter = db.collection("testCounters").doc(randomUUID());
    await counter.set({ value: 0 });
    const eventId = randomUUID();
    const deliver = () =>
      runOnce("test-handler", eventId, async (tx) => {
        const current = (await tx.get(counter)).get("value") as number;
        tx.update(counter, { value: current + 1 });
      });
    const results = await Promise.all([deliver(), deliver(), deliver()]);
    results.push(await deliver());
    assert.equal((await counter.get()).get("value"), 1);
    assert.equal(results.filter((r) => r.applied).length, 1);
  });
});

describe("client idempotency keys", () => {
  const keyRef = (scope: string, key: string) => admin().db.collection("idempotencyKeys").doc(createHash("sha256").update(`${scope}\n${key}`).digest("base64url"));

  it("replays a stored answer within 24 hours, but treats an expired key as a new request", async () => {
    const { Timestamp } = firestoreValues();
    const scope = `test:${randomUUID()}`;
    const request = { item: "soup", quantity: 1 };
    const stored = (key: string, expireAt: number) =>
      keyRef(scope, key).set({ scope, requestHash: requestHash(request), status: "completed", response: { clientSecret: "pi_old_secret" }, claimedAtMs: 0, expireAt: Timestamp.fromMillis(expireAt) });
    let runs = 0;
    const work = async () => ({ clientSecret: `pi_new_${(runs += 1)}` });

    await stored("fresh", Date.now() + 3_600_000);
    assert.deepEqual(await withIdempotencyKey(scope, "fresh", request, work), { clientSecret: "pi_old_secret" });
    assert.equal(runs, 0);

    await stored("old", Date.now() - 60_000);
    assert.deepEqual(await withIdempotencyKey(scope, "old", request, work), { clientSecret: "pi_new_1" }, "an expired answer is not served");
    assert.equal(runs, 1);
    const renewed = (await keyRef(scope, "old").get()).data()!;
    assert.equal(renewed.status, "completed");
    assert.ok((renewed.expireAt as { toMillis(): number }).toMillis() > Date.now(), "the key lives another 24 hours from the new request");
    assert.deepEqual(await withIdempotencyKey(scope, "old", request, work), { clientSecret: "pi_new_1" }, "and is replayed from then on");
    assert.equal(runs, 1);
  });
});

describe("rate limit state", () => {
  it("is shared by every caller of the same key (as instances share it) and separate per key", async () => {
    const key = `test:${randomUUID()}`;
    const limit = { max: 3, windowSeconds: 60 };
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      outcomes.push(await consumeRateLimit(key, limit).then(() => "ok", (e: { code: string }) => e.code));
    }
    assert.deepEqual(outcomes, ["ok", "ok", "ok", "resource-exhausted"]);
    await consumeRateLimit(`${key}:other`, limit);
    const stored = await admin().db.collection("rateLimits").where("tokens", "<", 1).get();
    assert.ok(stored.size >= 1, "the bucket lives in Firestore");
  });
});

describe("dead letters", () => {
  it("records a malformed message with its correlation id instead of retrying it forever", async () => {
    const pubsub = new PubSub({ projectId: PROJECT_ID });
    const eventId = randomUUID();
    const correlationId = `corr-${randomUUID()}`;
    await pubsub.topic(TOPICS.probeRequested).publishMessage({
      json: { probeId: 12 },
      attributes: { eventId, type: "probe.requested", correlationId },
    });
    await pubsub.close();
    const letter = await eventually(async () => {
      const doc = await admin().db.collection("deadLetters").doc(`diagnostics-onProbeRequested__${eventId}`).get();
      return doc.exists ? doc.data() : undefined;
    });
    assert.equal(letter.source, "pubsub");
    assert.equal(letter.status, "open");
    assert.equal(letter.correlationId, correlationId);
    assert.deepEqual(letter.payload.body, { probeId: 12 });
    assert.match(letter.error.message, /probeId/);
  });
});
