/**
 * Bans: an admin keeps a person out. Banning disables the Auth account, ends its sessions and
 * records the ban (`bans/{uid}`: reason code, actor, times) with the keyed hashes of its email
 * and phone (`bannedIdentities`), which the sign-up blocking function refuses. Auth is not
 * Firestore, so each way goes through an in-between state (admin/ban-state.ts) written with its
 * audit entry first: a crash between steps stays visible, and the same request again completes.
 * Used by the `admin-banUser` / `admin-unbanUser` callables and `npm run admin:ban`.
 */
import type { DocumentReference, Timestamp, Transaction } from "firebase-admin/firestore";
import type { UserRecord } from "firebase-admin/auth";
import { BanUserRequest, UnbanUserRequest, type BanReason, type BanUserResponse, type UnbanUserResponse } from "../contract/admin";
import { identityKeys } from "../auth/banned-identities";
import { revokeSessions } from "../auth/sessions";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { failedPrecondition, notFound } from "../shared/errors";
import { auth, db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { decideBanMove, type BanState } from "./ban-state";

/** `bans/{uid}` as stored. */
export interface BanRecord {
  uid: string;
  status: BanState;
  reason: BanReason;
  actorUid: string;
  /** `bannedIdentities` ids this ban holds; emptied when it is lifted. */
  identities: string[];
  auditEntryId?: string;
  liftAuditEntryId?: string;
  bannedAt?: Timestamp;
}

interface Actor {
  id: string;
  correlationId: string;
}

const bans = () => db().collection(COLLECTIONS.bans);
const auditLog = () => db().collection(COLLECTIONS.auditLog);

/** Bans `uid` on behalf of `actor` (a uid, or `script:<user>`); banning a banned user changes nothing. */
export async function applyBan(request: { uid: string; reason: BanReason }, actor: Actor): Promise<BanUserResponse> {
  const { uid } = request;
  if (actor.id === uid) throw failedPrecondition("Admins cannot ban themselves.", "self-ban");
  const user = await existingUser(uid);
  const { FieldValue, Timestamp } = firestoreValues();
  const ref = bans().doc(uid);

  // Step 1: the ban is on record (and in force for sign-up) before Auth is touched.
  const started = await db().runTransaction(async (tx): Promise<{ unchanged: BanRecord } | { entry: DocumentReference; reason: BanReason }> => {
    const current = await readBan(tx, ref);
    const decision = decideBanMove(current?.status ?? null, "ban");
    if (!decision.ok) return { unchanged: current as BanRecord };
    const resuming = current?.status === "banning";
    const reason = resuming ? current.reason : request.reason;
    const identities = [...new Set([...(resuming ? current.identities : []), ...identityKeys(user)])];
    const entry = resuming && current.auditEntryId ? auditLog().doc(current.auditEntryId) : auditLog().doc();
    if (entry.id !== current?.auditEntryId) {
      tx.create(entry, auditFields("user.banned", uid, actor, { reason }));
    }
    tx.set(ref, {
      uid,
      status: decision.to,
      reason,
      actorUid: resuming ? current.actorUid : actor.id,
      identities,
      auditEntryId: entry.id,
      correlationId: actor.correlationId,
      requestedAt: FieldValue.serverTimestamp(),
      ...(resuming ? { resumedBy: actor.id } : {}),
    });
    for (const id of identities) {
      tx.set(db().collection(COLLECTIONS.bannedIdentities).doc(id), { uid, bannedAt: FieldValue.serverTimestamp() });
    }
    return { entry, reason };
  });
  if ("unchanged" in started) {
    const { reason, bannedAt } = started.unchanged;
    log.info("user.ban-unchanged", { targetUid: uid });
    return { uid, status: "banned", reason, bannedAt: (bannedAt?.toDate() ?? new Date(0)).toISOString() };
  }

  // Steps 2 and 3: Auth. Both are safe to repeat, so a retry simply does them again.
  await auth().updateUser(uid, { disabled: true });
  const sessionsValidAfter = await revokeSessions(uid);

  // Step 4: done, unless an unban overtook it meanwhile.
  const bannedAt = Timestamp.now();
  await db().runTransaction(async (tx) => {
    const current = await readBan(tx, ref);
    const decision = decideBanMove(current?.status ?? null, "complete");
    if (!decision.ok || decision.to !== "banned") return;
    tx.update(ref, { status: decision.to, bannedAt });
    tx.set(db().collection(COLLECTIONS.users).doc(uid), { sessionsValidAfter }, { merge: true });
    tx.update(started.entry, { outcome: "applied", appliedAt: FieldValue.serverTimestamp() });
  });
  log.info("user.banned", { targetUid: uid, reason: started.reason });
  return { uid, status: "banned", reason: started.reason, bannedAt: bannedAt.toDate().toISOString() };
}

/** Lifts the ban of `uid`: the account is enabled and its identities may sign up again. */
export async function liftBan(uid: string, actor: Actor): Promise<UnbanUserResponse> {
  const { FieldValue } = firestoreValues();
  const ref = bans().doc(uid);

  const entry = await db().runTransaction(async (tx) => {
    const current = await readBan(tx, ref);
    const decision = decideBanMove(current?.status ?? null, "unban");
    if (!decision.ok) throw failedPrecondition("This user is not banned.", "not-banned");
    const resuming = current!.status === "unbanning" && current!.liftAuditEntryId;
    const entry = resuming ? auditLog().doc(current!.liftAuditEntryId!) : auditLog().doc();
    if (!resuming) tx.create(entry, auditFields("user.unbanned", uid, actor, { reason: current!.reason }));
    tx.update(ref, { status: decision.to, liftedBy: actor.id, liftAuditEntryId: entry.id, liftRequestedAt: FieldValue.serverTimestamp() });
    return entry;
  });

  await auth()
    .updateUser(uid, { disabled: false })
    .catch((error: { code?: string }) => {
      // The account was deleted while banned: there is nothing to enable, the lift still completes.
      if (error.code !== "auth/user-not-found") throw error;
    });

  await db().runTransaction(async (tx) => {
    const current = await readBan(tx, ref);
    const decision = decideBanMove(current?.status ?? null, "complete");
    if (!decision.ok || decision.to !== "unbanned") return;
    const held = await Promise.all(current!.identities.map((id) => tx.get(db().collection(COLLECTIONS.bannedIdentities).doc(id))));
    // An identity another banned account shares (its last ban wrote it) stays refused.
    for (const identity of held) if (identity.exists && identity.get("uid") === uid) tx.delete(identity.ref);
    tx.update(ref, { status: decision.to, identities: [], liftedAt: FieldValue.serverTimestamp() });
    tx.update(entry, { outcome: "applied", appliedAt: FieldValue.serverTimestamp() });
  });
  log.info("user.unbanned", { targetUid: uid });
  return { uid, status: "unbanned" };
}

async function existingUser(uid: string): Promise<UserRecord> {
  return auth()
    .getUser(uid)
    .catch((error: { code?: string }) => {
      if (error.code === "auth/user-not-found") throw notFound("User", "user-not-found", "uid");
      throw error;
    });
}

async function readBan(tx: Transaction, ref: DocumentReference): Promise<BanRecord | undefined> {
  const snapshot = await tx.get(ref);
  return snapshot.exists ? (snapshot.data() as BanRecord) : undefined;
}

function auditFields(action: string, targetUid: string, actor: Actor, extra: Record<string, unknown>) {
  const { FieldValue } = firestoreValues();
  return { action, actorUid: actor.id, targetUid, ...extra, outcome: "requested", correlationId: actor.correlationId, at: FieldValue.serverTimestamp() };
}

export const banUser: CallableImpl<BanUserRequest, BanUserResponse> = {
  input: BanUserRequest,
  run: (request, caller) => applyBan(request, { id: caller.uid!, correlationId: caller.correlationId }),
};

export const unbanUser: CallableImpl<UnbanUserRequest, UnbanUserResponse> = {
  input: UnbanUserRequest,
  run: ({ uid }, caller) => liftBan(uid, { id: caller.uid!, correlationId: caller.correlationId }),
};
