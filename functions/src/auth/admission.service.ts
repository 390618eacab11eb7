/**
 * Who may create an account and who may sign in (the Auth blocking functions). Sign-up is
 * refused for an email or phone a ban holds (auth/banned-identities.ts); sign-in is refused for
 * a banned account, even one re-enabled outside the ban, and, when the params ask for it, for
 * staff and admins without a verified email or an enrolled second factor.
 */
import type { AuthUserRecord } from "firebase-functions/v2/identity";
import { BAN_IN_FORCE, type BanState } from "../admin/ban-state";
import type { AdmissionImpl } from "../shared/auth-blocking";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db } from "../shared/firebase";
import { requireMfaForStaff, requireVerifiedEmailForStaff } from "../shared/params";
import { roleOf, type Role } from "../shared/roles";
import { identityKeys } from "./banned-identities";

/** Roles whose accounts the staff sign-in policy covers. */
const POLICY_ROLES: readonly Role[] = ["staff", "admin"];

export interface StaffSignInPolicy {
  requireVerifiedEmail: boolean;
  requireSecondFactor: boolean;
}

const banned = () =>
  new DomainError("permission-denied", "This account is not allowed to sign in or sign up. Contact support.", { reason: "account-banned" });

/** Why the staff policy refuses this sign-in, if it does. Pure, for tests. */
export function staffPolicyRefusal(
  user: Pick<AuthUserRecord, "emailVerified" | "customClaims" | "multiFactor">,
  policy: StaffSignInPolicy,
): DomainError | undefined {
  if (!POLICY_ROLES.includes(roleOf(user.customClaims))) return undefined;
  if (policy.requireVerifiedEmail && !user.emailVerified) {
    return new DomainError("permission-denied", "Staff and admin accounts need a verified email. Verify it, then sign in.", { reason: "email-not-verified" });
  }
  if (policy.requireSecondFactor && (user.multiFactor?.enrolledFactors ?? []).length === 0) {
    return new DomainError("permission-denied", "Staff and admin accounts need a second factor. Enroll one, then sign in.", { reason: "second-factor-required" });
  }
  return undefined;
}

export const admitSignUp: AdmissionImpl = {
  async admit(user) {
    const keys = identityKeys(user);
    if (keys.length === 0) return;
    const held = await db().getAll(...keys.map((key) => db().collection(COLLECTIONS.bannedIdentities).doc(key)));
    if (held.some((identity) => identity.exists)) throw banned();
  },
};

export const admitSignIn: AdmissionImpl = {
  async admit(user) {
    const ban = await db().collection(COLLECTIONS.bans).doc(user.uid).get();
    if (ban.exists && BAN_IN_FORCE.includes(ban.get("status") as BanState)) throw banned();
    const refusal = staffPolicyRefusal(user, {
      requireVerifiedEmail: requireVerifiedEmailForStaff.value(),
      requireSecondFactor: requireMfaForStaff.value(),
    });
    if (refusal) throw refusal;
  },
};
