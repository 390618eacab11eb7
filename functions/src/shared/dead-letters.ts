/**
 * Where work that cannot succeed ends up for a person to see: a message that fails validation,
 * a task that exhausted its retries. One document per (handler, event), so a redelivered poison
 * message updates its record instead of piling up copies.
 */
import { COLLECTIONS } from "./collections";
import { currentContext } from "./context";
import { db, firestoreValues } from "./firebase";
import { ledgerId } from "./idempotency";
import { describeError, log } from "./log";
import { OPS_EVENTS } from "./ops-events";

export interface DeadLetter {
  handler: string;
  source: "pubsub" | "task" | "firestore";
  eventId: string;
  payload: unknown;
  error: unknown;
  attempts: number;
}

/** Records `letter` (replacing an earlier record of the same event) and returns its id. */
export async function recordDeadLetter(letter: DeadLetter): Promise<string> {
  const { FieldValue } = firestoreValues();
  const { message, name } = describeError(letter.error);
  const id = ledgerId(letter.handler, letter.eventId);
  await db()
    .collection(COLLECTIONS.deadLetters)
    .doc(id)
    .set({
      handler: letter.handler,
      source: letter.source,
      eventId: letter.eventId,
      payload: JSON.parse(JSON.stringify(letter.payload ?? null)) as unknown,
      error: { name, message },
      attempts: letter.attempts,
      correlationId: currentContext()?.correlationId ?? null,
      status: "open",
      recordedAt: FieldValue.serverTimestamp(),
    });
  log.error(OPS_EVENTS.deadLetterRecorded.name, letter.error, { deadLetterId: id, failedHandler: letter.handler, source: letter.source, attempts: letter.attempts });
  return id;
}

/** A replayed dead letter whose work has now succeeded is closed. */
export async function resolveDeadLetter(id: string): Promise<void> {
  const { FieldValue } = firestoreValues();
  await db().collection(COLLECTIONS.deadLetters).doc(id).update({ status: "resolved", resolvedAt: FieldValue.serverTimestamp() });
  log.info(OPS_EVENTS.deadLetterResolved.name, { deadLetterId: id });
}
