/**
 * The probe's work at each hop. Every hop stamps `hops.<hop>` with the correlation id it ran
 * under, so one look at the document shows whether the id survived the whole chain.
 */
import { z } from "zod";
import { ProbeDocument, StartProbeRequest, type ProbeHop, type StartProbeResponse } from "../contract/diagnostics";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { currentTraceparent } from "../shared/tracing";
import { db, firestoreValues } from "../shared/firebase";
import type { DocumentCreatedImpl } from "../shared/firestore-trigger";
import type { SubscriberImpl } from "../shared/subscriber";
import type { TaskImpl } from "../shared/task-handler";
import { runOnce } from "../shared/idempotency";
import { log } from "../shared/log";
import { publish } from "../shared/pubsub";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { TOPICS } from "../shared/topics";

const PROBE_RETENTION_DAYS = 7;

const probes = () => db().collection(COLLECTIONS.probes);

function hopStamp(hop: ProbeHop) {
  const { FieldValue } = firestoreValues();
  return { [`hops.${hop}`]: { correlationId: correlationId(), at: FieldValue.serverTimestamp() } };
}

export const startProbe: CallableImpl<StartProbeRequest, StartProbeResponse> = {
  input: StartProbeRequest,
  async run(input, caller) {
    const { FieldValue, Timestamp } = firestoreValues();
    const ref = probes().doc();
    await ref.create({
      uid: caller.uid,
      label: input.label ?? null,
      status: "started",
      correlationId: caller.correlationId,
      traceparent: currentTraceparent() ?? null,
      hops: { callable: { correlationId: caller.correlationId, at: FieldValue.serverTimestamp() } },
      createdAt: FieldValue.serverTimestamp(),
      expireAt: Timestamp.fromMillis(Date.now() + PROBE_RETENTION_DAYS * 86_400_000),
    });
    log.info("probe.started", { probeId: ref.id });
    return { probeId: ref.id, correlationId: caller.correlationId };
  },
};

/** Trigger hop: publish first, then stamp, so a retry after a failed publish publishes again. */
export const announceProbe: DocumentCreatedImpl<ProbeDocument> = {
  schema: ProbeDocument,
  async handle(_probe, { eventId, documentId }) {
    await publish(TOPICS.probeRequested, { probeId: documentId }, { eventId, type: "probe.requested" });
    await probes().doc(documentId).update(hopStamp("trigger"));
  },
};

const ProbeRequestedMessage = z.object({ probeId: z.string().min(1) });

/** Subscriber hop: the task id is derived from the probe, so a redelivered message enqueues nothing new. */
export const scheduleProbeCompletion: SubscriberImpl<z.infer<typeof ProbeRequestedMessage>> = {
  schema: ProbeRequestedMessage,
  async handle({ probeId }) {
    await enqueueTask(TASK_QUEUES.completeProbe, { probeId }, { id: `probe-${probeId}` });
    await probes().doc(probeId).update(hopStamp("subscriber"));
  },
};

const CompleteProbeTask = z.object({ probeId: z.string().min(1) });

/** Task hop: completes the probe exactly once, through the processed-events ledger. */
export const completeProbe: TaskImpl<z.infer<typeof CompleteProbeTask>> = {
  schema: CompleteProbeTask,
  async run({ probeId }, { taskId }) {
    const { FieldValue } = firestoreValues();
    const result = await runOnce(TASK_QUEUES.completeProbe, taskId, async (tx) => {
      tx.update(probes().doc(probeId), { ...hopStamp("task"), status: "completed", completedAt: FieldValue.serverTimestamp() });
    });
    log.info("probe.completed", { probeId, applied: result.applied });
  },
};
