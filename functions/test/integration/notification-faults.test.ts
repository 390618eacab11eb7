/**
 * Notifications when the provider's transport fails, through the real SDKs: a broadcast batch
 * whose FCM endpoint refuses connections sends nothing and its retry reaches each person once;
 * one whose connection is reset after the request left is recorded `unknown` and never resent;
 * an SMS Twilio took but never answered for is recorded `unknown`, not sent again, and settled
 * by Twilio's delivery report; a claim whose sender died is surfaced by the ledger sweep.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, before, describe, it } from "node:test";
import { broadcastBatch } from "../../src/notifications/broadcast.service";
import { sweepLedger } from "../../src/notifications/ledger";
import { firestoreValues } from "../../src/shared/firebase";
import { restaurantWithStock } from "../support/checkout";
import { admin } from "../support/emulators";
import { faultyLink, type FaultyLink } from "../support/faulty-link";
import { FCM_DOUBLE, failTwilio, ledgerEntry, ledgerOf, member, pushesTo, resetDoubles, smsOnlyKitchen, smsTo, twilioCallback, type Person } from "../support/notifications";
import { placedOrder } from "../support/workflow";

const MESSAGE = {
  en: { title: "Half price desserts", body: "Until Sunday." },
  es: { title: "Postres a mitad de precio", body: "Hasta el domingo." },
};

/** A running broadcast to the restaurant's customers, all in one batch, as startBroadcast leaves it. */
async function runningBroadcast(restaurantId: string): Promise<string> {
  const broadcastId = `faults-${randomUUID().slice(0, 8)}`;
  await admin().db.doc(`broadcasts/${broadcastId}`).set({ segment: { kind: "restaurant-customers", restaurantId }, message: MESSAGE, link: null, batchSize: 10, status: "running", cursor: null, batchesDone: 0 });
  return broadcastId;
}

/** One attempt of the broadcast's first batch, run here against the link rather than by the queue. */
const runBatch = (broadcastId: string, attempt: number) => broadcastBatch.run({ broadcastId, batch: 0, cursor: null }, { taskId: `${broadcastId}-0`, attempt, finalAttempt: false });

async function statusesOf(people: Person[], broadcastId: string): Promise<string[]> {
  return Promise.all(people.map(async (p) => (await ledgerOf(p.uid)).find((e) => e.source === `broadcast-${broadcastId}`)?.status ?? "none"));
}

const fromBroadcast = async (person: Person, broadcastId: string) => (await pushesTo(person.tokens[0])).filter((m) => m.data.broadcastId === broadcastId).length;

describe("notifications under transport failures", () => {
  let link: FaultyLink;
  const clients: { close(): Promise<void> }[] = [];
  before(async () => {
    link = await faultyLink(FCM_DOUBLE);
    // This process's FCM adapter reaches the double through the link.
    process.env.FCM_API_URL = link.url;
  });
  afterEach(resetDoubles);
  after(async () => {
    await link.close();
    await Promise.all(clients.map((c) => c.close()));
  });

  it("releases a broadcast batch's claims when FCM refuses the connection, and its retry reaches each person once", async () => {
    const { restaurantId } = await restaurantWithStock(1);
    const run = randomUUID().slice(0, 8);
    const people = [await member(restaurantId, `${run}-a`, {}), await member(restaurantId, `${run}-b`, {})];
    const broadcastId = await runningBroadcast(restaurantId);

    await link.set("refuse");
    await assert.rejects(runBatch(broadcastId, 1), /retry later/, "the batch asks to be retried");
    assert.deepEqual(await statusesOf(people, broadcastId), ["retrying", "retrying"], "nothing left the building: the claims are released");

    await link.set("forward");
    await runBatch(broadcastId, 2);
    assert.deepEqual(await statusesOf(people, broadcastId), ["sent", "sent"]);
    for (const person of people) assert.equal(await fromBroadcast(person, broadcastId), 1, "reached once, by the retry");
  });

  it("records a push whose connection was reset after the request left as unknown, and does not resend it", async () => {
    const { restaurantId } = await restaurantWithStock(1);
    const person = await member(restaurantId, `${randomUUID().slice(0, 8)}-a`, {});
    const broadcastId = await runningBroadcast(restaurantId);

    await link.set("reset");
    await runBatch(broadcastId, 1);
    const entry = (await ledgerOf(person.uid)).find((e) => e.source === `broadcast-${broadcastId}`)!;
    assert.deepEqual([entry.status, entry.reason], ["unknown", "connection-lost"]);
    assert.equal((await admin().db.doc(`broadcasts/${broadcastId}/batches/0`).get()).get("unknown"), 1, "the batch record counts it");

    await link.set("forward");
    await runBatch(broadcastId, 2);
    assert.equal(await fromBroadcast(person, broadcastId), 0, "an unknown outcome is not resent blindly");
    assert.deepEqual(await statusesOf([person], broadcastId), ["unknown"]);
  });

  it("records an SMS Twilio took but never answered for as unknown, sends it once, and lets Twilio's report settle it", async () => {
    const { k, phone } = await smsOnlyKitchen(clients);
    await failTwilio({ to: `\\${phone}`, after: "hang", count: 1 });
    await placedOrder(k, "cash");

    const sms = await ledgerEntry(k.customer.user.uid, "orders.v1.placed", "sms");
    assert.deepEqual([sms.status, sms.reason, sms.attempts], ["unknown", "provider-timeout", 1]);
    const sent = await smsTo(phone);
    assert.equal(sent.length, 1, "Twilio has it once: the timeout is not a reason to send again");
    const open = await admin().db.collection("notifications").where("status", "==", "unknown").where("uid", "==", k.customer.user.uid).get();
    assert.deepEqual(open.docs.map((d) => d.id), [sms.id], "an operator finds it by status");

    const report = { MessageSid: sent[0].sid, MessageStatus: "delivered", To: phone, AccountSid: "AC00000000000000000000000000000000" };
    assert.equal(await twilioCallback(sms.id, report), 204);
    const settled = (await admin().db.doc(`notifications/${sms.id}`).get()).data()!;
    assert.deepEqual([settled.status, settled.providerId], ["delivered", sent[0].sid]);
  });

  it("sweeps claims whose sender died mid-call into unknown, and leaves live ones alone", async () => {
    const { Timestamp } = firestoreValues();
    const run = randomUUID().slice(0, 8);
    const db = admin().db;
    const claim = (uid: string, leaseExpiresAt: number) =>
      db.doc(`notifications/sweep-${run}__push__${uid}`).set({ source: `sweep-${run}`, channel: "push", uid, status: "sending", sendingSince: Timestamp.fromMillis(leaseExpiresAt - 600_000), leaseExpiresAt: Timestamp.fromMillis(leaseExpiresAt) });
    await claim(`${run}-dead`, Date.now() - 60_000);
    await claim(`${run}-live`, Date.now() + 60_000);

    assert.ok((await sweepLedger()) >= 1);
    const dead = (await db.doc(`notifications/sweep-${run}__push__${run}-dead`).get()).data()!;
    assert.deepEqual([dead.status, dead.reason], ["unknown", "lease-expired"]);
    assert.equal((await db.doc(`notifications/sweep-${run}__push__${run}-live`).get()).get("status"), "sending");
  });
});
