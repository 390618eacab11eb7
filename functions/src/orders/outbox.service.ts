/**
 * From the outbox to Pub/Sub. The trigger publishes each record as it is created and stamps it
 * published; a failed publish throws, so the trigger is retried. The sweep republishes what is
 * still unstamped a few minutes later (a trigger that never ran, retries exhausted). Publishing
 * twice is harmless: subscribers dedupe on the event id.
 */
import { COLLECTIONS } from "../shared/collections";
import { withContext } from "../shared/context";
import { db, firestoreValues } from "../shared/firebase";
import type { DocumentCreatedImpl } from "../shared/firestore-trigger";
import { log } from "../shared/log";
import { publish } from "../shared/pubsub";
import { TOPICS } from "../shared/topics";
import { OutboxRecord } from "./order-event";
import { SWEEP_AFTER_MS } from "./outbox-sweep";

const OUTBOX_RETENTION_DAYS = 7;
const SWEEP_BATCH = 200;

async function publishRecord(record: OutboxRecord): Promise<void> {
  const { correlationId, ...message } = record;
  await publish(TOPICS.orderEvents, message, { eventId: record.eventId, type: record.type, orderId: record.orderId, correlationId });
  const { FieldValue, Timestamp } = firestoreValues();
  await db()
    .collection(COLLECTIONS.outbox)
    .doc(record.eventId)
    .update({ publishedAt: FieldValue.serverTimestamp(), expireAt: Timestamp.fromMillis(Date.now() + OUTBOX_RETENTION_DAYS * 86_400_000) });
}

export const publishOrderEvent: DocumentCreatedImpl<OutboxRecord> = {
  schema: OutboxRecord,
  async handle(record) {
    // A redelivered trigger finds the record stamped (the sweep may have been first, too).
    const current = await db().collection(COLLECTIONS.outbox).doc(record.eventId).get();
    if (current.get("publishedAt") != null) {
      log.info("outbox.already-published", { eventId: record.eventId });
      return;
    }
    await publishRecord(record);
  },
};

/** Publishes outbox records the trigger left unpublished; returns how many. */
export async function sweepOutbox(now = Date.now()): Promise<number> {
  const { Timestamp } = firestoreValues();
  const stale = await db()
    .collection(COLLECTIONS.outbox)
    .where("publishedAt", "==", null)
    .where("createdAt", "<", Timestamp.fromMillis(now - SWEEP_AFTER_MS))
    .limit(SWEEP_BATCH)
    .get();
  let published = 0;
  for (const doc of stale.docs) {
    const parsed = OutboxRecord.safeParse(doc.data());
    if (!parsed.success) {
      log.warn("outbox.unreadable", { eventId: doc.id });
      continue;
    }
    await withContext({ correlationId: parsed.data.correlationId, handler: "orders-sweepOutbox" }, () => publishRecord(parsed.data));
    published += 1;
  }
  if (published > 0) log.warn("outbox.swept", { published });
  return published;
}

