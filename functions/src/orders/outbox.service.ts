/**
 * From the outbox to Pub/Sub. The trigger publishes each record as it is created and stamps it
 * published; a failed publish throws, so the trigger is retried. The sweep republishes what is
 * still unstamped a few minutes later (a trigger that never ran, retries exhausted). Publishing
 * twice is harmless: subscribers dedupe on the event id.
 */
import type { DocumentReference } from "firebase-admin/firestore";
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { recordDeadLetter } from "../shared/dead-letters";
import { db, firestoreValues } from "../shared/firebase";
import type { DocumentCreatedImpl } from "../shared/firestore-trigger";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { publish } from "../shared/pubsub";
import { TOPICS } from "../shared/topics";
import { traceWork } from "../shared/tracing";
import { OrderEventMessage, OutboxRecord } from "./order-event";
import { SWEEP_AFTER_MS } from "./outbox-sweep";
import { shapedQuery } from "../shared/queries";

const OUTBOX_RETENTION_DAYS = 7;
const SWEEP_BATCH = 200;

/** Publishes a record and stamps it published. */
export async function publishRecord(record: OutboxRecord): Promise<void> {
  // Subscribers get the message alone: bookkeeping, stage durations and the trace context (an
  // attribute, see pubsub.ts) stay out of it.
  const message = OrderEventMessage.parse(record);
  const { correlationId } = record;
  await publish(TOPICS.orderEvents, message, { eventId: record.eventId, type: record.type, orderId: record.orderId, correlationId });
  const { FieldValue, Timestamp } = firestoreValues();
  await db()
    .collection(COLLECTIONS.outbox)
    .doc(record.eventId)
    .update({ publishedAt: FieldValue.serverTimestamp(), expireAt: Timestamp.fromMillis(Date.now() + OUTBOX_RETENTION_DAYS * 86_400_000) });
}

/** The trigger's name: a record that can never be published is dead-lettered under it, once. */
const PUBLISHER = "orders-publishOrderEvent";

/**
 * Dead-letters an outbox record that fails the schema (one letter per record, whoever finds it)
 * and takes away its `publishedAt` field, so no query for unpublished records selects it again.
 * Once the document is fixed, setting `publishedAt: null` hands it back to the sweep.
 */
async function quarantine(ref: DocumentReference, data: unknown, error: unknown): Promise<void> {
  const { FieldValue, Timestamp } = firestoreValues();
  const deadLetterId = await recordDeadLetter({ handler: PUBLISHER, source: "firestore", eventId: ref.id, payload: { document: ref.path, data }, error, attempts: 1 });
  await ref.update({ publishedAt: FieldValue.delete(), deadLetterId, expireAt: Timestamp.fromMillis(Date.now() + OUTBOX_RETENTION_DAYS * 86_400_000) });
}

export const publishOrderEvent: DocumentCreatedImpl<Record<string, unknown>> = {
  // Any document: one that is not a record is quarantined here, the same way the sweep does.
  schema: z.record(z.string(), z.unknown()),
  async handle(raw, { documentId }) {
    const ref = db().collection(COLLECTIONS.outbox).doc(documentId);
    const parsed = OutboxRecord.safeParse(raw);
    if (!parsed.success) return quarantine(ref, raw, parsed.error);
    const record = parsed.data;
    // A redelivered trigger finds the record stamped (the sweep may have been first, too).
    const current = await ref.get();
    if (current.get("publishedAt") != null) {
      log.info("outbox.already-published", { eventId: record.eventId });
      return;
    }
    await publishRecord(record);
    logPublished(record, raw.createdAt, "trigger");
  },
};

/**
 * The line operations count order moves, outbox lag and stage durations by: once per record
 * published (a record published by both trigger and sweep, a rare race, counts twice).
 */
function logPublished(record: OutboxRecord, createdAt: unknown, via: "trigger" | "sweep"): void {
  const created = createdAt && typeof (createdAt as { toMillis?: unknown }).toMillis === "function" ? (createdAt as { toMillis(): number }).toMillis() : undefined;
  log.info(OPS_EVENTS.outboxPublished.name, {
    eventId: record.eventId,
    type: record.type,
    orderId: record.orderId,
    from: record.from,
    to: record.to,
    via,
    lagMs: created === undefined ? null : Math.max(0, Date.now() - created),
    ...(record.sinceCheckoutMs !== undefined ? { sinceCheckoutMs: record.sinceCheckoutMs } : {}),
    ...(record.sincePlacedMs !== undefined ? { sincePlacedMs: record.sincePlacedMs } : {}),
  });
}

export interface SweepReport {
  published: number;
  /** Records whose publish failed this time; the next sweep tries them again. */
  failed: string[];
  /** Records that fail the schema: dead-lettered, and no longer selected. */
  deadLettered: string[];
}

/**
 * Publishes outbox records the trigger left unpublished. One record that cannot be published
 * does not stop the others: failures are logged and reported. A record that fails the schema is
 * dead-lettered once and loses its `publishedAt` field, so no later sweep selects it again.
 */
export async function sweepOutbox(now = Date.now(), publishOne: (record: OutboxRecord) => Promise<void> = publishRecord): Promise<SweepReport> {
  const { Timestamp } = firestoreValues();
  const stale = await shapedQuery("outboxUnpublishedBefore", db(), null, Timestamp.fromMillis(now - SWEEP_AFTER_MS))
    .limit(SWEEP_BATCH)
    .get();
  const report: SweepReport = { published: 0, failed: [], deadLettered: [] };
  for (const doc of stale.docs) {
    const parsed = OutboxRecord.safeParse(doc.data());
    if (!parsed.success) {
      await quarantine(doc.ref, doc.data(), parsed.error);
      report.deadLettered.push(doc.id);
      continue;
    }
    try {
      // Published late, still in the order's trace.
      const origin = { handler: "orders-sweepOutbox", role: "consumer", correlationId: parsed.data.correlationId, parent: parsed.data.traceparent ?? undefined } as const;
      await traceWork({ ...origin, attributes: { orderId: parsed.data.orderId } }, async () => {
        await publishOne(parsed.data);
        logPublished(parsed.data, doc.get("createdAt"), "sweep");
      });
      report.published += 1;
    } catch (error) {
      log.error("outbox.publish-failed", error, { eventId: doc.id });
      report.failed.push(doc.id);
    }
  }
  if (report.published > 0 || report.failed.length > 0 || report.deadLettered.length > 0) {
    log.warn(OPS_EVENTS.outboxSwept.name, { published: report.published, failed: report.failed.length, deadLettered: report.deadLettered.length });
  }
  return report;
}
