/**
 * Devices and notification preferences through their callables: one record per token that
 * follows the user who signed in last, removal only by its owner, and preferences that change
 * only what is sent, refusing malformed hours with the failing fields.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, describe, it } from "node:test";
import { CALLABLES } from "../../src/contract/callables";
import { deviceId } from "../../src/notifications/devices.service";
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

  it("changes only the preferences sent, and refuses hours that are not HH:MM", async () => {
    const app = await signUp();
    clients.push(app);
    const afterFirst = payload(await app.call<object>(CALLABLES.updateNotificationPreferences, { channels: { promotions: { push: true } } }));
    assert.deepEqual(afterFirst, {
      channels: { orderUpdates: { push: true, sms: false }, promotions: { push: true, sms: false } },
      quietHours: null,
    });
    const afterSecond = payload(await app.call<object>(CALLABLES.updateNotificationPreferences, { quietHours: { start: "22:30", end: "07:00" }, channels: { orderUpdates: { sms: true } } }));
    assert.deepEqual(afterSecond, {
      channels: { orderUpdates: { push: true, sms: true }, promotions: { push: true, sms: false } },
      quietHours: { start: "22:30", end: "07:00" },
    });
    const bad = await callError(app.call(CALLABLES.updateNotificationPreferences, { quietHours: { start: "25:00", end: "7" } }));
    assert.equal(bad.code, "functions/invalid-argument");
    assert.deepEqual((bad.details.fields as { path: string }[]).map((f) => f.path).sort(), ["quietHours.end", "quietHours.start"]);
    const stored = (await admin().db.doc(`users/${app.user.uid}`).get()).get("notificationPreferences");
    assert.deepEqual(stored, afterSecond, "the refused call changed nothing");
  });
});
