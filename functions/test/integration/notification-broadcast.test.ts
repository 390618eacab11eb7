/**
 * Broadcasts: an admin's promotion to a restaurant's customers who opted in, fanned out in
 * batches through Cloud Tasks to the FCM and Twilio doubles, each device once, in each person's
 * language; a stalled broadcast resumed from its cursor by the admin script, still reaching
 * nobody twice; and a request that is not right refused with its fields.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { deviceId } from "../../src/notifications/devices.service";
import { restaurantWithStock } from "../support/checkout";
import { admin, callError, randomPhone, signInWithRole } from "../support/emulators";
import { broadcastSummary, fcmToken, ledgerOf, member, pushesTo, smsTo } from "../support/notifications";
import { eventually, runTaskNow } from "../support/workflow";

const REPO = join(__dirname, "..", "..", "..");
const MESSAGE = {
  en: { title: "Two for one tonight", body: "Every pizza, until 23:00." },
  es: { title: "Dos por uno esta noche", body: "Todas las pizzas, hasta las 23:00." },
};

const broadcastDone = (id: string) =>
  eventually(`broadcast ${id} to finish`, async () => {
    const doc = await admin().db.doc(`broadcasts/${id}`).get();
    return doc.get("status") === "done" ? doc : undefined;
  }, 90_000);

const fromBroadcast = async (token: string, id: string) => (await pushesTo(token)).filter((m) => m.data.broadcastId === id);

describe("broadcasts", () => {
  const clients: { close(): Promise<void> }[] = [];
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("reaches each opted-in customer's devices once, in their language, batch by batch", async () => {
    const { restaurantId } = await restaurantWithStock(1);
    const run = randomUUID().slice(0, 8);
    const twoPhones = await member(restaurantId, `${run}-a`, { tokens: [fcmToken(), fcmToken()] });
    const spanish = await member(restaurantId, `${run}-b`, { locale: "es" });
    const withDeadToken = await member(restaurantId, `${run}-c`, { tokens: [fcmToken(), fcmToken("unregistered")] });
    const notOptedIn = await member(restaurantId, `${run}-d`, { push: false });
    const noDevice = await member(restaurantId, `${run}-e`, { tokens: [] });
    const alsoSms = await member(restaurantId, `${run}-f`, { sms: true, phone: randomPhone() });

    const adminClient = await signInWithRole("admin");
    clients.push(adminClient);
    const broadcastId = `promo-${run}`;
    const request = { broadcastId, segment: { kind: "restaurant-customers", restaurantId }, message: MESSAGE, link: "https://app.example.test/promo", batchSize: 2 };
    const started = await adminClient.call<{ started: boolean }>(CALLABLES.startBroadcast, request);
    assert.equal(started.started, true);
    const done = await broadcastDone(broadcastId);
    const batches = await admin().db.collection(`broadcasts/${broadcastId}/batches`).get();
    assert.equal(batches.size, done.get("batchesDone"));
    assert.ok(batches.size >= 3, `6 people in batches of 2 take at least 3 batches, took ${batches.size}`);

    for (const token of twoPhones.tokens) assert.deepEqual((await fromBroadcast(token, broadcastId)).map((m) => m.title), [MESSAGE.en.title]);
    assert.deepEqual((await fromBroadcast(spanish.tokens[0], broadcastId)).map((m) => m.title), [MESSAGE.es.title]);
    assert.equal((await fromBroadcast(withDeadToken.tokens[0], broadcastId)).length, 1);
    assert.equal((await admin().db.doc(`devices/${deviceId(withDeadToken.tokens[1])}`).get()).exists, false, "the dead token is removed");
    assert.deepEqual(Object.values((await admin().db.doc(`pushTargets/${withDeadToken.uid}`).get()).get("devices")), [withDeadToken.tokens[0]]);
    assert.equal((await fromBroadcast(notOptedIn.tokens[0], broadcastId)).length, 0, "not opted in: nothing");
    assert.equal((await fromBroadcast(alsoSms.tokens[0], broadcastId)).length, 1);
    assert.equal((await smsTo(alsoSms.phone!)).filter((m) => m.body.startsWith(MESSAGE.en.title)).length, 1, "promotional SMS to who asked for it");
    assert.equal((await fromBroadcast(twoPhones.tokens[0], broadcastId))[0].data.link, "https://app.example.test/promo");

    const noDeviceEntry = (await ledgerOf(noDevice.uid)).find((e) => e.source === `broadcast-${broadcastId}`);
    assert.deepEqual([noDeviceEntry?.status, noDeviceEntry?.reason], ["skipped", "no-device"]);
    // Five devices took it: two, one, one (the dead token did not), and the SMS person's one.
    assert.deepEqual(await broadcastSummary(broadcastId), { messages: 5, tokens: 5, duplicates: 0 });

    const again = await adminClient.call<{ started: boolean; status: string }>(CALLABLES.startBroadcast, request);
    assert.deepEqual([again.started, again.status], [false, "done"], "the same broadcast id starts nothing new");
  });

  it("resumes a stalled broadcast from its cursor and reaches nobody twice", async () => {
    const { restaurantId } = await restaurantWithStock(1);
    const run = randomUUID().slice(0, 8);
    const people = await Promise.all(["a", "b", "c", "d", "e"].map((suffix) => member(restaurantId, `${run}-${suffix}`, {})));
    const broadcastId = `stalled-${run}`;
    // As a broadcast whose second batch ran out of retries leaves it: a, b reached, cursor at b.
    const db = admin().db;
    await db.doc(`broadcasts/${broadcastId}`).set({ segment: { kind: "restaurant-customers", restaurantId }, message: MESSAGE, link: null, batchSize: 2, status: "stalled", cursor: people[1].uid, batchesDone: 1 });
    for (const person of people.slice(0, 2)) {
      await db.doc(`notifications/broadcast-${broadcastId}__push__${person.uid}`).set({ source: `broadcast-${broadcastId}`, channel: "push", uid: person.uid, broadcastId, status: "sent" });
    }

    const resumed = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "broadcast.ts"), "resume", broadcastId], { cwd: REPO, encoding: "utf8" });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /running, from batch 1/);
    await broadcastDone(broadcastId);
    for (const person of people.slice(0, 2)) assert.equal((await fromBroadcast(person.tokens[0], broadcastId)).length, 0, "reached before the stall: not again");
    for (const person of people.slice(2)) assert.equal((await fromBroadcast(person.tokens[0], broadcastId)).length, 1);

    // A batch the queue delivers again, while the broadcast still runs, sends nothing more.
    await db.doc(`broadcasts/${broadcastId}`).update({ status: "running" });
    await runTaskNow("notifications-broadcastBatch", { broadcastId, batch: 1, cursor: people[1].uid }, "test-redelivery");
    await eventually("the redelivered batch to run", async () => (await db.doc(`broadcasts/${broadcastId}/batches/1`).get()).get("alreadyHandled") === 2);
    assert.deepEqual(await broadcastSummary(broadcastId), { messages: 3, tokens: 3, duplicates: 0 });

    const status = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "admin", "broadcast.ts"), "status", broadcastId], { cwd: REPO, encoding: "utf8" });
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /"sent":5/);
  });

  it("refuses non-admins, malformed requests and unknown restaurants, and starts nothing", async () => {
    const staff = await signInWithRole("staff");
    const adminClient = await signInWithRole("admin");
    clients.push(staff, adminClient);
    const good = { broadcastId: `refused-${randomUUID().slice(0, 8)}`, segment: { kind: "all-customers" }, message: MESSAGE };

    const denied = await callError(staff.call(CALLABLES.startBroadcast, good));
    assert.deepEqual([denied.code, denied.details.reason], ["functions/permission-denied", "role-required"]);

    const malformed = await callError(adminClient.call(CALLABLES.startBroadcast, { ...good, broadcastId: "x", message: { en: MESSAGE.en } }));
    assert.equal(malformed.code, "functions/invalid-argument");
    assert.deepEqual((malformed.details.fields as { path: string }[]).map((f) => f.path).sort(), ["broadcastId", "message.es"]);

    const unknown = await callError(adminClient.call(CALLABLES.startBroadcast, { ...good, segment: { kind: "restaurant-customers", restaurantId: "no-such-restaurant" } }));
    assert.equal(unknown.code, "functions/not-found");
    assert.equal((await admin().db.doc(`broadcasts/${good.broadcastId}`).get()).exists, false);
  });
});
