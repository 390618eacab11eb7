/**
 * User profiles (`users/{uid}`): created at sign-up, changed only in the fields a user owns,
 * and removed with the account. Orders outlive the account for accounting, stripped of
 * personal data.
 */
import { createHash } from "node:crypto";
import {
  DeleteAccountRequest,
  UpdateProfileRequest,
  type DeleteAccountResponse,
  type UpdateProfileResponse,
  type UserProfile,
} from "../contract/profile";
import type { UserCreatedImpl } from "../shared/auth-trigger";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { failedPrecondition } from "../shared/errors";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { forgetDevicesOf } from "../notifications/devices.service";
import { recordPhoneHolder } from "./phone.service";
import { authDisplayName, createProfileIfMissing } from "./profile-record";

/** Account deletion needs a sign-in this recent, so a borrowed unlocked phone cannot do it. */
const RECENT_SIGN_IN_SECONDS = 5 * 60;
/** Order fields that identify a person; removed when the account is deleted. */
const ORDER_PERSONAL_FIELDS = ["customerName", "customerEmail", "customerPhone", "deliveryAddress", "deliveryInstructions"] as const;

const users = () => db().collection(COLLECTIONS.users);

/** Creates the profile of a new user; a redelivered event finds it and changes nothing. */
export const createProfileOnSignUp: UserCreatedImpl = {
  async handle(user) {
    const created = await createProfileIfMissing(user);
    if (user.phoneNumber) await recordPhoneHolder(user.phoneNumber, user.uid);
    log.info(created ? "profile.created" : "profile.already-exists", { uid: user.uid });
  },
};

export const updateProfile: CallableImpl<UpdateProfileRequest, UpdateProfileResponse> = {
  input: UpdateProfileRequest,
  async run(changes, caller) {
    const { FieldValue } = firestoreValues();
    const ref = users().doc(caller.uid!);
    const updated = await db().runTransaction(async (tx) => {
      const snapshot = await tx.get(ref);
      const current = snapshot.exists ? (snapshot.data() as UserProfile) : await defaultProfile(caller.uid!);
      // The role is role administration's to write (admin/roles.service.ts), never a token's:
      // a token issued before a demotion would otherwise put the removed role back.
      const next: UserProfile = { ...current, ...stripUndefined(changes), role: current.role };
      tx.set(ref, { ...next, updatedAt: FieldValue.serverTimestamp(), correlationId: caller.correlationId }, { merge: true });
      return next;
    });
    log.info("profile.updated", { fields: Object.keys(changes) });
    return pickProfile(updated);
  },
};

export const deleteAccount: CallableImpl<DeleteAccountRequest, DeleteAccountResponse> = {
  input: DeleteAccountRequest,
  async run(_input, caller) {
    const uid = caller.uid!;
    const signedInAt = Number(caller.claims.auth_time ?? 0);
    if (Date.now() / 1000 - signedInAt > RECENT_SIGN_IN_SECONDS) {
      throw failedPrecondition("Sign in again, then delete the account within 5 minutes.", "recent-sign-in-required");
    }
    // Personal data first, the Auth user last: a retry after a partial failure can still sign in.
    const ordersAnonymized = await anonymizeOrders(uid);
    await forgetDevicesOf(uid);
    await db().recursiveDelete(users().doc(uid));
    const { FieldValue } = firestoreValues();
    await db().collection(COLLECTIONS.auditLog).add({
      action: "user.account-deleted",
      subject: pseudonym(uid),
      ordersAnonymized,
      correlationId: caller.correlationId,
      at: FieldValue.serverTimestamp(),
    });
    await auth()
      .deleteUser(uid)
      .catch((error: { code?: string }) => {
        if (error.code !== "auth/user-not-found") throw error;
      });
    log.info("account.deleted", { ordersAnonymized });
    return { deleted: true, ordersAnonymized };
  },
};

/** Keeps orders for accounting, replacing the customer with a stable pseudonym. */
async function anonymizeOrders(uid: string): Promise<number> {
  const { FieldValue } = firestoreValues();
  const orders = await db().collection(COLLECTIONS.orders).where("customerUid", "==", uid).get();
  const writer = db().bulkWriter();
  const removal = Object.fromEntries(ORDER_PERSONAL_FIELDS.map((field) => [field, FieldValue.delete()]));
  for (const order of orders.docs) {
    void writer.update(order.ref, { ...removal, customerUid: pseudonym(uid), personalDataRemovedAt: FieldValue.serverTimestamp() });
  }
  await writer.close();
  return orders.size;
}

/** Same user, same pseudonym (so accounting can still group orders), but not reversible. */
export function pseudonym(uid: string): string {
  return `deleted-${createHash("sha256").update(uid).digest("hex").slice(0, 20)}`;
}

async function defaultProfile(uid: string): Promise<UserProfile> {
  const user = await auth().getUser(uid);
  return {
    uid,
    email: user.email ?? null,
    displayName: authDisplayName(user.displayName),
    phone: null,
    phoneVerified: false,
    locale: "en",
    timeZone: "UTC",
    addresses: [],
    role: "customer",
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function pickProfile(profile: UserProfile): UserProfile {
  const { uid, email, displayName, phone, phoneVerified, locale, timeZone, addresses, role } = profile;
  return { uid, email, displayName, phone, phoneVerified: phoneVerified === true, locale, timeZone, addresses, role };
}
