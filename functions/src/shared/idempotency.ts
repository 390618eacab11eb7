/**
 * The processed-events ledger: an event handler's effect and the record that it happened are
 * written in one transaction, so a redelivered event (Pub/Sub, Cloud Tasks and Firestore
 * triggers all deliver at least once) finds the record and changes nothing.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "./collections";
import { correlationId } from "./context";
import { db, firestoreValues } from "./firebase";

const LEDGER_RETENTION_DAYS = 30;

export interface OnceResult<T> {
  /** False when the event had already been processed and nothing was done. */
  applied: boolean;
  value?: T;
}

/**
 * Runs `effect` inside a transaction unless (`handler`, `eventId`) is already in the ledger.
 * `effect` may read through `tx` (its reads come after the ledger read, as Firestore requires).
 */
export async function runOnce<T>(
  handler: string,
  eventId: string,
  effect: (tx: Transaction) => Promise<T>,
): Promise<OnceResult<T>> {
  const ledgerRef = db().collection(COLLECTIONS.processedEvents).doc(ledgerId(handler, eventId));
  return db().runTransaction(async (tx) => {
    const seen = await tx.get(ledgerRef);
    if (seen.exists) return { applied: false };
    const value = await effect(tx);
    tx.create(ledgerRef, ledgerEntry(handler, eventId));
    return { applied: true, value };
  });
}

function ledgerEntry(handler: string, eventId: string) {
  const { FieldValue, Timestamp } = firestoreValues();
  return {
    handler,
    eventId,
    correlationId: correlationId(),
    processedAt: FieldValue.serverTimestamp(),
    expireAt: Timestamp.fromMillis(Date.now() + LEDGER_RETENTION_DAYS * 86_400_000),
  };
}

export function ledgerId(handler: string, eventId: string): string {
  return `${handler}__${eventId}`.replace(/\//g, "_");
}

/**
 * For effects outside Firestore (an enqueued task, a published message), which cannot join the
 * ledger's transaction: skips when (`handler`, `eventId`) is recorded, otherwise runs `work` and
 * then records it. `work` must be safe to repeat (deterministic task ids, state checks), since a
 * crash between the two runs it again.
 */
export async function runOnceThen(handler: string, eventId: string, work: () => Promise<void>): Promise<boolean> {
  const ledgerRef = db().collection(COLLECTIONS.processedEvents).doc(ledgerId(handler, eventId));
  if ((await ledgerRef.get()).exists) return false;
  await work();
  await ledgerRef.set(ledgerEntry(handler, eventId));
  return true;
}
