/**
 * Identity as the app meets it: the profile made at sign-up, changing one's own profile and
 * nothing else, and deleting an account while keeping its orders, anonymized.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { doc, getDoc } from "firebase/firestore";
import { CALLABLES, DeleteAccountResponse, UpdateProfileResponse, UserProfile } from "../../src/contract";
import { keyedHash } from "../../src/shared/pseudonym";
import { closeDelivery } from "../../src/dispatch/dispatch.service";
import { admin, callError, signUp, waitForDocument, type AppClient } from "../support/emulators";

const home = {
  id: "home",
  label: "Home",
  line1: "Calle de Alcalá 1",
  city: "Madrid",
  postalCode: "28014",
  country: "ES",
  location: { lat: 40.4169, lng: -3.7035 },
};

describe("identity", () => {
  const clients: AppClient[] = [];
  after(() => Promise.all(clients.map((c) => c.close())));
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);

  it("creates a customer profile at sign-up, readable by its owner only", async () => {
    const app = track(await signUp());
    const profile = UserProfile.parse(await waitForDocument(app.firestore, `users/${app.user.uid}`, (d) => d !== undefined));
    assert.equal(profile.role, "customer");
    assert.equal(profile.email, app.user.email);
    assert.deepEqual(profile.addresses, []);

    const other = track(await signUp());
    await assert.rejects(getDoc(doc(other.firestore, `users/${app.user.uid}`)), (e: { code?: string }) => e.code === "permission-denied");
  });

  it("recovers a profile the sign-up trigger did not write at the person's next call, once", async () => {
    const app = track(await signUp());
    const uid = app.user.uid;
    await waitForDocument(app.firestore, `users/${uid}`, (d) => d !== undefined);
    // As if the trigger's write had failed: Auth triggers are not retried.
    await admin().db.doc(`users/${uid}`).delete();
    const phone = `+3461${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
    await admin().auth.updateUser(uid, { phoneNumber: phone });

    await app.call(CALLABLES.registerDevice, { token: `phone-of-${uid}:APA91b0000000000000000`, platform: "android", appVersion: "3.2.0" });
    const recovered = (await admin().db.doc(`users/${uid}`).get()).data();
    assert.ok(recovered, "the next call created the missing profile");
    const profile = UserProfile.parse(recovered);
    assert.equal(profile.role, "customer");
    assert.equal(profile.email, app.user.email);
    assert.deepEqual([profile.phone, profile.phoneVerified], [phone, true], "the number Firebase Auth holds, as verified");

    await admin().db.doc(`users/${uid}`).update({ displayName: "Kept" });
    await app.call(CALLABLES.registerDevice, { token: `phone-of-${uid}:APA91b0000000000000000`, platform: "android", appVersion: "3.2.1" });
    assert.equal((await admin().db.doc(`users/${uid}`).get()).get("displayName"), "Kept", "an existing profile is left alone");
  });

  it("changes only the fields sent, and only the ones a user owns", async () => {
    const app = track(await signUp());
    await waitForDocument(app.firestore, `users/${app.user.uid}`, (d) => d !== undefined);
    const updated = UpdateProfileResponse.parse(
      await app.call(CALLABLES.updateProfile, { displayName: "Lucía", locale: "es", timeZone: "Europe/Madrid", addresses: [home] }),
    );
    assert.equal(updated.displayName, "Lucía");
    assert.equal(updated.locale, "es");
    assert.deepEqual(updated.addresses, [home]);

    const again = UpdateProfileResponse.parse(await app.call(CALLABLES.updateProfile, { displayName: "Lucía G." }));
    assert.deepEqual([again.locale, again.timeZone, again.addresses], ["es", "Europe/Madrid", [home]], "fields not sent are kept");

    const typedPhone = await callError(app.call(CALLABLES.updateProfile, { displayName: "Eve", phone: "+34600123456" }));
    assert.deepEqual([typedPhone.code, typedPhone.details.reason], ["functions/invalid-argument", "phone-verification-required"], "the phone comes from Firebase Auth only");

    const refused = await callError(app.call(CALLABLES.updateProfile, { role: "admin", displayName: "Eve" }));
    assert.equal(refused.code, "functions/invalid-argument");
    const stored = (await admin().db.doc(`users/${app.user.uid}`).get()).data()!;
    assert.equal(stored.role, "customer");
    assert.equal(stored.displayName, "Lucía G.", "a refused request changes nothing, not even the valid fields");
  });

  it("names each invalid profile field precisely", async () => {
    const app = track(await signUp());
    const error = await callError(
      app.call(CALLABLES.updateProfile, { displayName: "", timeZone: "Moon/Base", addresses: [{ ...home, location: { lat: 123, lng: 0 } }] }),
    );
    assert.equal(error.code, "functions/invalid-argument");
    assert.equal(error.details.reason, "invalid-request");
    const paths = (error.details.fields as { path: string }[]).map((f) => f.path).sort();
    assert.deepEqual(paths, ["addresses.0.location.lat", "displayName", "timeZone"]);
  });

  it("deletes the account and personal data, keeping orders anonymized", async () => {
    const app = track(await signUp());
    const uid = app.user.uid;
    await waitForDocument(app.firestore, `users/${uid}`, (d) => d !== undefined);
    const token = `phone-of-${uid}:APA91b0000000000000000`;
    await app.call(CALLABLES.registerDevice, { token, platform: "ios", appVersion: "3.2.0" });
    const orderRef = admin().db.collection("orders").doc();
    await orderRef.set({ customerUid: uid, customerFirstName: "Lucía", restaurantId: "r1", total: { amount: 1500, currency: "EUR" } });
    await orderRef.collection("private").doc("contact").set({ name: "Lucía Pérez", email: app.user.email, phone: null, address: home });
    // A second order is out for delivery: its courier keeps the address until the delivery ends.
    const onTheWay = admin().db.collection("orders").doc();
    await onTheWay.set({ customerUid: uid, customerFirstName: "Lucía", restaurantId: "r1", status: "picked_up", courierUid: "courier-x", total: { amount: 900, currency: "EUR" } });
    // A notification to them that failed for good waits for replay.
    const letter = admin().db.collection("deadLetters").doc();
    await letter.set({ handler: "notifications-deliver", source: "task", eventId: letter.id, payload: { correlationId: "c", data: { kind: "order", requestId: "r", audience: "customer", uid } }, status: "open" });
    await admin().db.doc(`deliveries/${onTheWay.id}`).set({ orderId: onTheWay.id, courierUid: "courier-x", status: "open", name: "Lucía Pérez", phone: "+34600123456", address: home });

    const refused = await callError(app.call(CALLABLES.deleteAccount, {}));
    assert.equal(refused.code, "functions/invalid-argument");
    assert.deepEqual((refused.details.fields as { path: string }[]).map((f) => f.path), ["confirm"]);

    const result = DeleteAccountResponse.parse(await app.call(CALLABLES.deleteAccount, { confirm: true }));
    assert.deepEqual(result, { deleted: true, ordersAnonymized: 2 });

    const order = (await orderRef.get()).data()!;
    assert.equal(order.customerUid, keyedHash("uid", uid), "a keyed pseudonym");
    assert.equal(order.customerFirstName, undefined);
    assert.equal((await orderRef.collection("private").doc("contact").get()).exists, false, "contact data deleted");
    assert.deepEqual(order.total, { amount: 1500, currency: "EUR" }, "accounting fields stay");
    assert.equal((await letter.get()).get("payload.data.uid"), keyedHash("uid", uid), "a dead letter keeps the pseudonym");
    assert.equal((await admin().db.doc(`users/${uid}`).get()).exists, false);
    assert.equal((await admin().db.doc(`pushTargets/${uid}`).get()).exists, false, "no push to a deleted account");
    assert.equal((await admin().db.collection("devices").where("token", "==", token).get()).size, 0);
    await assert.rejects(admin().auth.getUser(uid), (e: { code?: string }) => e.code === "auth/user-not-found");

    const delivery = admin().db.doc(`deliveries/${onTheWay.id}`);
    assert.deepEqual([(await delivery.get()).get("status"), (await delivery.get()).get("address.line1")], ["open", home.line1], "the courier still finds the door");
    await closeDelivery(onTheWay.id);
    const closed = (await delivery.get()).data()!;
    assert.deepEqual([closed.status, closed.name, closed.phone, closed.address], ["closed", undefined, undefined, undefined], "scrubbed when the delivery ends");
  });
});
