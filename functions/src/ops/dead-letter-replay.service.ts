/**
 * Replaying a dead letter once its cause is fixed: a task is enqueued again with its original
 * payload and correlation id (the task handler closes the letter when it succeeds), a message is
 * published again with its original attributes (its event id, so subscribers still dedupe).
 * A Firestore trigger cannot be replayed: its document has to be fixed instead. The one home of
 * replay, for the operator console's callable and `npm run admin:dead-letters`.
 */
import { ReplayDeadLetterRequest, type ReplayDeadLetterResponse } from "../contract/ops";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { withContext } from "../shared/context";
import { failedPrecondition, notFound } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { publish } from "../shared/pubsub";
import type { TaskQueue } from "../shared/task-queues";
import { enqueueEnvelope } from "../shared/tasks";
import type { Topic } from "../shared/topics";

interface Letter {
  handler: string;
  source: "task" | "pubsub" | "firestore";
  payload: Record<string, unknown> | null;
  correlationId: string | null;
  status: string;
}

/** Replays dead letter `id` on behalf of `actor` (a uid, or `script:<user>`); writes an audit entry with the letter's new status. */
export async function replayDeadLetter(id: string, actor: string, correlationId: string): Promise<ReplayDeadLetterResponse> {
  const ref = db().collection(COLLECTIONS.deadLetters).doc(id);
  const snapshot = await ref.get();
  if (!snapshot.exists) throw notFound("Dead letter", "dead-letter-not-found", "deadLetterId");
  const letter = snapshot.data() as Letter;
  if (letter.status === "resolved") throw failedPrecondition("This dead letter is already resolved.", "dead-letter-resolved");
  const payload = letter.payload ?? {};
  if (letter.source === "firestore") {
    throw failedPrecondition(`A Firestore trigger cannot be replayed; fix the document ${String(payload.document)} instead.`, "dead-letter-not-replayable");
  }
  if (letter.source === "pubsub" && !payload.body) throw failedPrecondition("The message body was not readable JSON; nothing to replay.", "dead-letter-not-replayable");

  await withContext({ correlationId: letter.correlationId ?? `replay-${id}`, handler: "ops-replayDeadLetter" }, async () => {
    if (letter.source === "task") {
      // Without its schedule: a replay is due now. No task id: queues remember old ones.
      const envelope: Record<string, unknown> = { ...payload, replayOf: id };
      delete envelope.notBefore;
      await enqueueEnvelope(letter.handler as TaskQueue, envelope);
    } else {
      const { topic, attributes, body } = payload as { topic: Topic; attributes: { eventId: string; type: string }; body: object };
      await publish(topic, body, attributes);
    }
  });

  const { FieldValue } = firestoreValues();
  await db().runTransaction(async (tx) => {
    // The task may already have run and closed the letter: only an unresolved letter becomes `replayed`.
    const current = await tx.get(ref);
    const update: Record<string, unknown> = { replays: FieldValue.increment(1), lastReplayedAt: FieldValue.serverTimestamp() };
    if (current.get("status") !== "resolved") update.status = "replayed";
    tx.update(ref, update);
    tx.create(db().collection(COLLECTIONS.auditLog).doc(), {
      action: "deadLetter.replayed",
      actorUid: actor,
      deadLetterId: id,
      handler: letter.handler,
      source: letter.source,
      correlationId,
      at: FieldValue.serverTimestamp(),
    });
  });
  log.info("dead-letter.replayed", { deadLetterId: id, failedHandler: letter.handler, source: letter.source });
  return { deadLetterId: id, status: "replayed", source: letter.source, handler: letter.handler };
}

export const replayDeadLetterCallable: CallableImpl<ReplayDeadLetterRequest, ReplayDeadLetterResponse> = {
  input: ReplayDeadLetterRequest,
  run: ({ deadLetterId }, caller) => replayDeadLetter(deadLetterId, caller.uid!, caller.correlationId),
};
