/**
 * Where a user can be reached: push devices and notification preferences.
 *
 * A device is its FCM registration token, stored once (`devices/{sha256(token)}`) with its
 * owner, platform, app version and when it was last seen. Registering a token another user had
 * moves it (a phone belongs to whoever signed in last), so nobody receives another's messages.
 * Preferences live in the profile (`users/{uid}.notificationPreferences`). The owner's
 * `pushTargets/{uid}` lists its tokens, changed in the same transaction as the device.
 */
import { createHash } from "node:crypto";
import type { Transaction } from "firebase-admin/firestore";
import {
  DEFAULT_PREFERENCES,
  RegisterDeviceRequest,
  UnregisterDeviceRequest,
  UpdateNotificationPreferencesRequest,
  type DeviceResponse,
  type NotificationPreferences,
} from "../contract/notifications";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";

export const deviceId = (token: string) => createHash("sha256").update(token).digest("hex");

const devices = () => db().collection(COLLECTIONS.devices);
export const pushTargetsRef = (uid: string) => db().collection(COLLECTIONS.pushTargets).doc(uid);

/** In a transaction, after its reads: `token` (device `id`) becomes one of `uid`'s push targets, or stops being one. */
export function setPushTarget(tx: Transaction, uid: string, id: string, token: string | null): void {
  const { FieldValue } = firestoreValues();
  tx.set(pushTargetsRef(uid), { devices: { [id]: token ?? FieldValue.delete() } }, { merge: true });
}

export const registerDevice: CallableImpl<RegisterDeviceRequest, DeviceResponse> = {
  input: RegisterDeviceRequest,
  async run({ token, platform, appVersion }, caller) {
    const { FieldValue } = firestoreValues();
    const id = deviceId(token);
    const previousOwner = await db().runTransaction(async (tx) => {
      const ref = devices().doc(id);
      const current = await tx.get(ref);
      tx.set(ref, {
        uid: caller.uid,
        token,
        platform,
        appVersion,
        lastSeenAt: FieldValue.serverTimestamp(),
        ...(current.exists && current.get("uid") === caller.uid ? {} : { registeredAt: FieldValue.serverTimestamp() }),
      }, { merge: true });
      const previous = current.exists ? (current.get("uid") as string) : null;
      if (previous && previous !== caller.uid) setPushTarget(tx, previous, id, null);
      setPushTarget(tx, caller.uid!, id, token);
      return previous;
    });
    if (previousOwner && previousOwner !== caller.uid) log.info("device.moved", { deviceId: id });
    return { deviceId: id, registered: true };
  },
};

/** Signing out: the token stops receiving this user's messages. Only its owner may remove it. */
export const unregisterDevice: CallableImpl<UnregisterDeviceRequest, DeviceResponse> = {
  input: UnregisterDeviceRequest,
  async run({ token }, caller) {
    const id = deviceId(token);
    const removed = await db().runTransaction(async (tx) => {
      const ref = devices().doc(id);
      const current = await tx.get(ref);
      if (!current.exists || current.get("uid") !== caller.uid) return false;
      tx.delete(ref);
      setPushTarget(tx, caller.uid!, id, null);
      return true;
    });
    if (removed) log.info("device.unregistered", { deviceId: id });
    return { deviceId: id, registered: false };
  },
};

/** Account deletion: the user's devices stop receiving anything and their records go. */
export async function forgetDevicesOf(uid: string): Promise<number> {
  const listed = Object.keys(((await pushTargetsRef(uid).get()).get("devices") as Record<string, string> | undefined) ?? {});
  await db().runTransaction(async (tx) => {
    const current = await Promise.all(listed.map((id) => tx.get(devices().doc(id))));
    for (const device of current) if (device.exists && device.get("uid") === uid) tx.delete(device.ref);
    tx.delete(pushTargetsRef(uid));
  });
  return listed.length;
}

/** The user's preferences, the defaults filling whatever they never set. */
export function preferencesOf(profile: { notificationPreferences?: Partial<NotificationPreferences> } | undefined): NotificationPreferences {
  const saved = profile?.notificationPreferences ?? {};
  return {
    channels: {
      orderUpdates: { ...DEFAULT_PREFERENCES.channels.orderUpdates, ...saved.channels?.orderUpdates },
      promotions: { ...DEFAULT_PREFERENCES.channels.promotions, ...saved.channels?.promotions },
      receipts: { ...DEFAULT_PREFERENCES.channels.receipts, ...saved.channels?.receipts },
    },
    quietHours: saved.quietHours === undefined ? DEFAULT_PREFERENCES.quietHours : saved.quietHours,
  };
}

export const updatePreferences: CallableImpl<UpdateNotificationPreferencesRequest, NotificationPreferences> = {
  input: UpdateNotificationPreferencesRequest,
  async run(changes, caller) {
    const { FieldValue } = firestoreValues();
    const ref = db().collection(COLLECTIONS.users).doc(caller.uid!);
    return db().runTransaction(async (tx) => {
      const current = preferencesOf((await tx.get(ref)).data());
      const next: NotificationPreferences = {
        channels: {
          orderUpdates: { ...current.channels.orderUpdates, ...changes.channels?.orderUpdates },
          promotions: { ...current.channels.promotions, ...changes.channels?.promotions },
          receipts: { ...current.channels.receipts, ...changes.channels?.receipts },
        },
        quietHours: changes.quietHours === undefined ? current.quietHours : changes.quietHours,
      };
      tx.set(ref, { notificationPreferences: next, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
      return next;
    });
  },
};
