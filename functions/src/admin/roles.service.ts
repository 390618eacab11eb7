/**
 * Role administration. Claims are the source of truth for authorization (rules and callables
 * read them from the ID token); the profile mirrors the role for display, and every change is
 * recorded in the audit log. A change ends the user's sessions (auth/sessions.ts): a removed
 * role stops working at once, and the next sign-in carries the new claims. Used by the `admin-setUserRole` callable and the admin script.
 */
import { SetUserRoleRequest, type SetUserRoleResponse } from "../contract/admin";
import type { Role } from "../contract/roles";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { notFound } from "../shared/errors";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { revokeSessions } from "../auth/sessions";

export interface RoleChange {
  uid: string;
  role: Role;
  restaurantIds: string[];
}

/** Applies a role change on behalf of `actor` (a uid, or e.g. `script:<user>`). */
export async function applyRole(change: RoleChange, actor: { id: string; correlationId: string }): Promise<SetUserRoleResponse> {
  const user = await auth()
    .getUser(change.uid)
    .catch((error: { code?: string }) => {
      if (error.code === "auth/user-not-found") throw notFound("User", "user-not-found");
      throw error;
    });
  const previous = user.customClaims ?? {};
  const restaurantIds = change.role === "staff" ? change.restaurantIds : [];
  const { FieldValue } = firestoreValues();
  // Claims are not a Firestore write: the entry is written first (`requested`) and given its
  // outcome after, so a crash in between still leaves a visible record of the attempt.
  const entry = db().collection(COLLECTIONS.auditLog).doc();
  await entry.create({
    action: "user.role-set",
    actorUid: actor.id,
    targetUid: change.uid,
    before: { role: previous.role ?? "customer", restaurantIds: previous.restaurantIds ?? [] },
    after: { role: change.role, restaurantIds },
    outcome: "requested",
    correlationId: actor.correlationId,
    at: FieldValue.serverTimestamp(),
  });
  let step = "claims";
  let sessionsValidAfter: number;
  try {
    await auth().setCustomUserClaims(change.uid, { ...previous, role: change.role, restaurantIds });
    step = "revoke-sessions";
    sessionsValidAfter = await revokeSessions(change.uid);
  } catch (error) {
    // A retry of the same change sets the same claims again and revokes again: it completes.
    await entry.update({ outcome: "failed", failedStep: step, failedAt: FieldValue.serverTimestamp() });
    throw error;
  }
  const batch = db().batch();
  // Mirrored for display, so notifications can find a restaurant's staff, and (the revocation)
  // so security rules refuse the old token's privileged reads.
  batch.set(db().collection(COLLECTIONS.users).doc(change.uid), { role: change.role, restaurantIds, sessionsValidAfter }, { merge: true });
  batch.update(entry, { outcome: "applied", appliedAt: FieldValue.serverTimestamp() });
  await batch.commit();
  log.info("user.role-set", { targetUid: change.uid, role: change.role });
  return { uid: change.uid, role: change.role, restaurantIds };
}

export const setUserRole: CallableImpl<SetUserRoleRequest, SetUserRoleResponse> = {
  input: SetUserRoleRequest,
  run: ({ uid, role, restaurantIds = [] }, caller) => applyRole({ uid, role, restaurantIds }, { id: caller.uid!, correlationId: caller.correlationId }),
};
