/**
 * The profile's phone number is the one Firebase Auth verified for the account, never one the app
 * typed: the app verifies it with Firebase Auth (links a phone credential) and then calls
 * `auth-syncPhone`, which mirrors the Auth record into `users/{uid}` (`phone`, `phoneVerified`).
 * Sign-up with a phone number and profile recovery mirror it the same way (profile-record.ts).
 *
 * Auth lets a number belong to one account at a time, but an abuser can cycle it (delete the
 * account and make another, unlink and relink). `phoneHolders/{keyedHash("phone", number)}`
 * keeps the keyed hashes of the accounts that held the number (no number, no uid); past
 * `PHONE_ACCOUNTS_ALERT` accounts it is `flagged` and `phone.shared-by-many-accounts` is logged.
 * What cycling can send stays bounded by the per-number SMS cap (notifications/sms-admission.ts).
 */
import { SyncPhoneRequest, type SyncPhoneResponse } from "../contract/profile";
import { allowedPrefixes, maskPhone, phoneAllowed, phoneKey } from "../notifications/sms-admission";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { phoneAccountsAlert } from "../shared/params";
import { keyedHash } from "../shared/pseudonym";

export const PHONE_COUNTRY_NOT_ALLOWED = "phone-country-not-allowed";

/** Counts `uid` among the accounts that have held `phone`; flags the number past the alert. */
export async function recordPhoneHolder(phone: string, uid: string): Promise<void> {
  const { FieldValue } = firestoreValues();
  const numberKey = phoneKey(phone);
  const holder = keyedHash("uid", uid);
  const ref = db().collection(COLLECTIONS.phoneHolders).doc(numberKey);
  const flaggedNow = await db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    const holders = (current.get("holders") as Record<string, unknown> | undefined) ?? {};
    if (holder in holders) return null;
    const accounts = Object.keys(holders).length + 1;
    const flag = accounts > phoneAccountsAlert.value() && current.get("flagged") !== true;
    tx.set(
      ref,
      {
        holders: { [holder]: FieldValue.serverTimestamp() },
        accounts,
        updatedAt: FieldValue.serverTimestamp(),
        ...(flag ? { flagged: true, flaggedAt: FieldValue.serverTimestamp() } : {}),
      },
      { merge: true },
    );
    return flag ? accounts : null;
  });
  if (flaggedNow !== null) log.warn("phone.shared-by-many-accounts", { phoneHash: numberKey, accounts: flaggedNow, threshold: phoneAccountsAlert.value() });
}

/** `auth-syncPhone`: the profile takes the caller's Firebase Auth number (or loses it, if unlinked). */
export const syncPhone: CallableImpl<SyncPhoneRequest, SyncPhoneResponse> = {
  input: SyncPhoneRequest,
  async run(_input, caller) {
    const uid = caller.uid!;
    const phone = (await auth().getUser(uid)).phoneNumber ?? null;
    const usable = phone !== null && phoneAllowed(phone);
    const { FieldValue } = firestoreValues();
    await db()
      .collection(COLLECTIONS.users)
      .doc(uid)
      .set({ phone: usable ? phone : null, phoneVerified: usable, phoneSyncedAt: FieldValue.serverTimestamp() }, { merge: true });
    if (phone === null) {
      log.info("profile.phone-synced", { hasPhone: false });
      return { phone: null, phoneVerified: false };
    }
    // Counted whether or not we may text it: cycling a refused number is worth seeing too.
    await recordPhoneHolder(phone, uid);
    if (!usable) {
      log.info("profile.phone-refused", { to: maskPhone(phone), reason: PHONE_COUNTRY_NOT_ALLOWED });
      throw new DomainError("failed-precondition", `We can only text numbers in these countries: ${allowedPrefixes().join(", ")}. The profile keeps no phone number.`, {
        reason: PHONE_COUNTRY_NOT_ALLOWED,
        fields: [{ path: "phoneNumber", message: "This country is not supported for SMS." }],
      });
    }
    log.info("profile.phone-synced", { hasPhone: true, to: maskPhone(phone) });
    return { phone, phoneVerified: true };
  },
};
