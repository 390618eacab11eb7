/**
 * Role administration. Claims are the source of truth for authorization (rules and callables
 * read them from the ID token); every change is recorded in the audit log.
 */
import { SetUserRoleRequest, type SetUserRoleResponse } from "../contract/admin";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { notFound } from "../shared/errors";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";

export const setUserRole: CallableImpl<SetUserRoleRequest, SetUserRoleResponse> = {
  input: SetUserRoleRequest,
  async run({ uid, role, restaurantIds = [] }, caller) {
    const user = await auth()
      .getUser(uid)
      .catch((error: { code?: string }) => {
        if (error.code === "auth/user-not-found") throw notFound("User", "user-not-found");
        throw error;
      });
    const previous = user.customClaims ?? {};
    const claims = { ...previous, role, restaurantIds: role === "staff" ? restaurantIds : [] };
    await auth().setCustomUserClaims(uid, claims);
    const { FieldValue } = firestoreValues();
    await db().collection(COLLECTIONS.auditLog).add({
      action: "user.role-set",
      actorUid: caller.uid,
      targetUid: uid,
      before: { role: previous.role ?? "customer", restaurantIds: previous.restaurantIds ?? [] },
      after: { role, restaurantIds: claims.restaurantIds },
      correlationId: caller.correlationId,
      at: FieldValue.serverTimestamp(),
    });
    log.info("user.role-set", { targetUid: uid, role });
    return { uid, role, restaurantIds: claims.restaurantIds };
  },
};
