/**
 * Sessions: ending them (role changes, bans, disabling) and checking that a caller's session has
 * not been ended. An ID token stays valid for up to an hour after its refresh token is revoked,
 * so a privileged callable asks Auth whether the token's sign-in (`auth_time`) predates the
 * revocation (`tokensValidAfterTime`). Security rules cannot ask Auth: the revocation time is
 * mirrored to `users/{uid}.sessionsValidAfter` (seconds), which firestore.rules compares with
 * `request.auth.token.auth_time` on privileged reads.
 */
import { DomainError } from "../shared/errors";
import { auth } from "../shared/firebase";
import { log } from "../shared/log";

/**
 * Ends every session of `uid`: refresh tokens are revoked, and ID tokens issued before now fail
 * the checks below. Answers the revocation time in seconds, for `users/{uid}.sessionsValidAfter`.
 */
export async function revokeSessions(uid: string): Promise<number> {
  await auth().revokeRefreshTokens(uid);
  const user = await auth().getUser(uid);
  const validAfter = Math.floor(Date.parse(user.tokensValidAfterTime ?? new Date().toUTCString()) / 1000);
  log.info("sessions.revoked", { targetUid: uid, validAfter });
  return validAfter;
}

export type SessionState = "current" | "revoked" | "disabled";

/**
 * Whether the session that signed in at `authTime` (seconds) is still good. Auth's own rule
 * (firebase-admin `verifyIdToken(token, true)`): revoked when it began before the revocation,
 * in whole seconds. A deleted account's sessions count as revoked.
 */
export async function sessionState(uid: string, authTime: number): Promise<SessionState> {
  const user = await auth()
    .getUser(uid)
    .catch((error: { code?: string }) => {
      if (error.code === "auth/user-not-found") return undefined;
      throw error;
    });
  if (!user) return "revoked";
  const validAfterMs = user.tokensValidAfterTime ? Date.parse(user.tokensValidAfterTime) : 0;
  if (authTime * 1000 < validAfterMs) return "revoked";
  if (user.disabled) return "disabled";
  return "current";
}

/** Refuses a caller whose session was ended, with a reason the app can act on (sign in again). */
export async function assertSessionCurrent(uid: string, claims: Record<string, unknown>): Promise<void> {
  const state = await sessionState(uid, Number(claims.auth_time ?? 0));
  if (state === "revoked") {
    throw new DomainError("unauthenticated", "Your session has ended (your access changed). Sign in again.", { reason: "session-revoked" });
  }
  if (state === "disabled") {
    throw new DomainError("unauthenticated", "This account is disabled. Sign in again or contact support.", { reason: "account-disabled" });
  }
}
