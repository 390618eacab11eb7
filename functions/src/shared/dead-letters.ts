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

export interface DeadLetter {
  handler: string;
  source: "pubsub" | "task" | "firestore";
  eventId: string;
  payload: unknown;
  error: unknown;
  attempts: number;
}

export async function recordDeadLetter(letter: DeadLetter): Promise<void> {
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
  log.error("dead-letter.recorded", letter.error, { deadLetterId: id, source: letter.source, attempts: letter.attempts });
}
