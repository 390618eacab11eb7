/**
 * The profile document a person starts with (`users/{uid}`), and making sure it exists. The
 * sign-up trigger writes it, but a 1st-gen Auth trigger that fails is not retried, so the
 * callable gateway also creates it, once, for a signed-in caller who has none. Both create the
 * document only if it is missing, so whichever comes second changes nothing.
 */
import type { UserRecord } from "firebase-admin/auth";
import { cleanText } from "../contract/primitives";
import type { UserProfile } from "../contract/profile";
import { COLLECTIONS } from "../shared/collections";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { restaurantIdsOf, roleOf } from "../shared/roles";

/** Uids this instance has seen a profile for; bounded, so a long-lived instance does not grow. */
const known = new Set<string>();
const KNOWN_MAX = 10_000;

/**
 * The name Auth holds, cleaned as the contract cleans a name sent to `auth-updateProfile`: the
 * client sets it on Auth directly, so it never passed our schemas.
 */
export function authDisplayName(name: string | null | undefined): string | null {
  return [...cleanText(name ?? "")].slice(0, 80).join("") || null;
}

/** Creates the profile unless it exists; answers whether it created it. */
export async function createProfileIfMissing(
  user: Pick<UserRecord, "uid" | "email" | "displayName" | "phoneNumber">,
  claims: Record<string, unknown> = {},
): Promise<boolean> {
  const { FieldValue } = firestoreValues();
  const role = roleOf(claims);
  const profile: UserProfile & Record<string, unknown> = {
    uid: user.uid,
    email: user.email ?? null,
    displayName: authDisplayName(user.displayName),
    // Only a number Firebase Auth holds, and so verified, is ever a profile's phone.
    phone: user.phoneNumber ?? null,
    phoneVerified: Boolean(user.phoneNumber),
    locale: "en",
    timeZone: "UTC",
    addresses: [],
    role,
    ...(role === "staff" ? { restaurantIds: restaurantIdsOf(claims) } : {}),
    createdAt: FieldValue.serverTimestamp(),
  };
  try {
    await db().collection(COLLECTIONS.users).doc(user.uid).create(profile);
    return true;
  } catch (error) {
    if ((error as { code?: number }).code !== 6) throw error; // 6 = ALREADY_EXISTS
    return false;
  }
}

/**
 * Makes sure a signed-in caller has a profile, creating the missing one from their Auth
 * account and claims. An account that no longer exists gets none.
 */
export async function ensureProfile(uid: string, claims: Record<string, unknown>): Promise<void> {
  if (known.has(uid)) return;
  const exists = (await db().collection(COLLECTIONS.users).doc(uid).get()).exists;
  if (!exists) {
    const user = await auth()
      .getUser(uid)
      .catch((error: { code?: string }) => {
        if (error.code === "auth/user-not-found") return undefined;
        throw error;
      });
    if (!user) return;
    if (await createProfileIfMissing(user, claims)) log.warn("profile.recovered", { uid });
  }
  if (known.size >= KNOWN_MAX) known.clear();
  known.add(uid);
}
