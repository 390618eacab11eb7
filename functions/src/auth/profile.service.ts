/**
 * User profiles (`users/{uid}`): created at sign-up, changed only in the fields a user owns,
 * and removed with the account (account-erasure.service.ts). Orders outlive the account for
 * accounting, stripped of personal data.
 */
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
import { keyedHash } from "../shared/pseudonym";
import { eraseAccountData } from "./account-erasure.service";
import { recordPhoneHolder } from "./phone.service";
import { authDisplayName, createProfileIfMissing } from "./profile-record";

/** Account deletion needs a sign-in this recent, so a borrowed unlocked phone cannot do it. */
const RECENT_SIGN_IN_SECONDS = 5 * 60;

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
    const { FieldValue } = firestoreValues();
    const subject = keyedHash("uid", uid);
    // The entry comes first, so a deletion that dies half-way shows as `started`; the user's
    // retry (the Auth user goes last, so they can still sign in) completes it and the entry.
    const entry = db().collection(COLLECTIONS.auditLog).doc(`account-deletion__${subject}`);
    await entry.set({ action: "user.account-deleted", subject, status: "started", correlationId: caller.correlationId, startedAt: FieldValue.serverTimestamp() }, { merge: true });
    const ordersAnonymized = await eraseAccountData(uid, subject);
    await auth()
      .deleteUser(uid)
      .catch((error: { code?: string }) => {
        if (error.code !== "auth/user-not-found") throw error;
      });
    await entry.update({ status: "completed", ordersAnonymized, completedAt: FieldValue.serverTimestamp() });
    log.info("account.deleted", { ordersAnonymized });
    return { deleted: true, ordersAnonymized };
  },
};

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

export function pickProfile(profile: UserProfile): UserProfile {
  const { uid, email, displayName, phone, phoneVerified, locale, timeZone, addresses, role } = profile;
  return { uid, email, displayName, phone, phoneVerified: phoneVerified === true, locale, timeZone, addresses, role };
}
