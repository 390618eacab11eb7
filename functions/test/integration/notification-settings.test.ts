/**
 * Devices and notification preferences through their callables: one record per token that
 * follows the user who signed in last, removal only by its owner, and preferences that change
 * only what is sent, refusing malformed hours with the failing fields.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { ProfileDocument } from "../../src/contract/documents";
import { deviceId } from "../../src/notifications/devices.service";
import { graphql } from "../support/graphql";
import { eventually } from "../support/workflow";
import { admin, callError, signUp, type AppClient, payload } from "../support/emulators";

const token = () => `fcm-${randomBytes(40).toString("base64url")}`;
const device = (t: string) => admin().db.doc(`devices/${deviceId(t)}`).get();

describe("notification settings", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));

  it("keeps one record per device, refreshed on each registration, moved to whoever signs in", async () => {
    const [ana, ben] = [await signUp(), await signUp()];
    clients.push(ana, ben);
    const phone = token();
    const first = await ana.call<{ deviceId: string }>(CALLABLES.registerDevice, { token: phone, platform: "ios", appVersion: "1.4.0" });
    assert.equal(first.deviceId, deviceId(phone));
    const registered = await device(phone);
    await new Promise((r) => setTimeout(r, 50));
    await ana.call(CALLABLES.registerDevice, { token: phone, platform: "ios", appVersion: "1.5.0" });
    const refreshed = await device(phone);
    assert.equal(refreshed.get("uid"), ana.user.uid);
    assert.equal(refreshed.get("appVersion"), "1.5.0");
    assert.ok(refreshed.get("lastSeenAt").toMillis() > registered.get("lastSeenAt").toMillis());
    assert.equal(refreshed.get("registeredAt").toMillis(), registered.get("registeredAt").toMillis());

    // Ben signs in on Ana's old phone: the device is his now, and Ana's sign-out cannot take it.
    await ben.call(CALLABLES.registerDevice, { token: phone, platform: "ios", appVersion: "1.5.0" });
    assert.equal((await device(phone)).get("uid"), ben.user.uid);
    await ana.call(CALLABLES.unregisterDevice, { token: phone });
    assert.equal((await device(phone)).get("uid"), ben.user.uid);
    await ben.call(CALLABLES.unregisterDevice, { token: phone });
    assert.equal((await device(phone)).exists, false);
  });

  it("refuses a malformed device, naming the fields, and stores nothing", async () => {
    const app = await signUp();
    clients.push(app);
    const error = await callError(app.call(CALLABLES.registerDevice, { token: "short", platform: "blackberry", appVersion: "" }));
    assert.equal(error.code, "functions/invalid-argument");
    assert.deepEqual((error.details.fields as { path: string }[]).map((f) => f.path).sort(), ["appVersion", "platform", "token"]);
    assert.equal((await device("short")).exists, false);
  });

  it("reads preferences saved before email and receipts existed with the defaults filling the gaps", async () => {
    const app = await signUp();
    clients.push(app);
    const ref = admin().db.doc(`users/${app.user.uid}`);
    await eventually("the profile", async () => (await ref.get()).exists);
    await ref.set({ notificationPreferences: { channels: { orderUpdates: { push: true, sms: true }, promotions: { push: false, sms: false } }, quietHours: null } }, { merge: true });

    assert.ok(ProfileDocument.safeParse((await ref.get()).data()).success, "the app still parses the stored profile");
    const query = "query { me { preferences { channels { orderUpdates { push sms email } receipts { push sms email } } } } }";
    const answer = await graphql<{ me: { preferences: unknown } }>({ query }, { client: app });
    assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
    assert.deepEqual(answer.data?.me.preferences, { channels: { orderUpdates: { push: true, sms: true, email: false }, receipts: { push: false, sms: false, email: true } } });
    const updated = payload(await app.call<{ channels: Record<string, unknown> }>(CALLABLES.updateNotificationPreferences, { channels: { receipts: { email: false } } }));
    assert.deepEqual(updated.channels.orderUpdates, { push: true, sms: true, email: false }, "what was saved stays");
    assert.deepEqual(updated.channels.receipts, { push: false, sms: false, email: false });
  });

  it("changes only the preferences sent, and refuses hours that are not HH:MM", async () => {
    const app = await signUp();
    clients.push(app);
    const afterFirst = payload(await app.call<object>(CALLABLES.updateNotificationPreferences, { channels: { promotions: { push: true } } }));
    assert.deepEqual(afterFirst, {
      channels: { orderUpdates: { push: true, sms: false, email: false }, promotions: { push: true, sms: false, email: false }, receipts: { push: false, sms: false, email: true } },
      quietHours: null,
    });
    const afterSecond = payload(await app.call<object>(CALLABLES.updateNotificationPreferences, { quietHours: { start: "22:30", end: "07:00" }, channels: { orderUpdates: { sms: true } } }));
    assert.deepEqual(afterSecond, {
      channels: { orderUpdates: { push: true, sms: true, email: false }, promotions: { push: true, sms: false, email: false }, receipts: { push: false, sms: false, email: true } },
      quietHours: { start: "22:30", end: "07:00" },
    });
    const bad = await callError(app.call(CALLABLES.updateNotificationPreferences, { quietHours: { start: "25:00", end: "7" } }));
    assert.equal(bad.code, "functions/invalid-argument");
    assert.deepEqual((bad.details.fields as { path: string }[]).map((f) => f.path).sort(), ["quietHours.end", "quietHours.start"]);
    const stored = (await admin().db.doc(`users/${app.user.uid}`).get()).get("notificationPreferences");
    assert.deepEqual(stored, afterSecond, "the refused call changed nothing");
  });
});
