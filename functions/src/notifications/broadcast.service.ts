/**
 * Broadcasts: a promotion to a segment, fanned out one Cloud Task per batch of recipients.
 *
 * `broadcasts/{id}` holds the message, the segment, a cursor (the last recipient handled) and
 * a status. Each batch reads the next page of the segment, keeps those who opted in to
 * promotions, and sends: push-only recipients together (their claims written in batches, their
 * devices' messages in `sendEach` calls of at most 500), anyone who also takes promotional SMS
 * through the one-person delivery path. Then it records the batch, moves the cursor and
 * enqueues the next. Every message is claimed in the ledger first, so a retried or resumed
 * batch reaches nobody twice. A batch out of retries leaves the broadcast `stalled`; `resume`
 * carries on from the cursor.
 */
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { z } from "zod";
import { ResumeBroadcastRequest, StartBroadcastRequest, type BroadcastSegment, type BroadcastStatus } from "../contract/notifications";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { DomainError, notFound } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { broadcastBatchSize } from "../shared/params";
import type { TaskImpl } from "../shared/task-handler";
import { enqueueTask } from "../shared/tasks";
import { TASK_QUEUES } from "../shared/task-queues";
import { outgoingOf, type BroadcastText } from "./broadcast-content";
import { deferDelivery } from "./deliver.service";
import { pushTargetsRef } from "./devices.service";
import { deliverTo, devicesIn, pushMessage, recipientFrom, ProviderBusy, removeDeadTokens, sendPush, type Device, type Outgoing, type Recipient } from "./delivery.service";
import { claimFields, isClaimable, ledgerFields, messageId, messageRef, reportUnknown, type MessageKey } from "./ledger";
import { chunks, PUSH_BATCH_LIMIT, pushVerdict } from "./push";
import { minutesUntilQuietEnds } from "./quiet-hours";
import { shapedQuery } from "../shared/queries";

const broadcasts = () => db().collection(COLLECTIONS.broadcasts);

// ---- starting, pausing, resuming ----------------------------------------------------------

export async function startBroadcast(request: StartBroadcastRequest, actor: string): Promise<BroadcastStatus> {
  if (request.segment.kind === "restaurant-customers") {
    const restaurant = await db().collection(COLLECTIONS.restaurants).doc(request.segment.restaurantId).get();
    if (!restaurant.exists) throw notFound("Restaurant", "restaurant-not-found", "segment.restaurantId");
  }
  const { FieldValue } = firestoreValues();
  const ref = broadcasts().doc(request.broadcastId);
  const created = await db().runTransaction(async (tx) => {
    if ((await tx.get(ref)).exists) return false;
    tx.create(ref, {
      segment: request.segment,
      message: request.message,
      link: request.link ?? null,
      batchSize: request.batchSize ?? broadcastBatchSize.value(),
      status: "running",
      cursor: null,
      batchesDone: 0,
      createdBy: actor,
      correlationId: correlationId(),
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return true;
  });
  if (created) {
    await enqueueBatch(request.broadcastId, 0, null);
    log.info("broadcast.started", { broadcastId: request.broadcastId, segment: request.segment.kind });
  }
  return { ...(await statusOf(request.broadcastId)), started: created };
}

async function statusOf(broadcastId: string): Promise<BroadcastStatus> {
  const snapshot = await broadcasts().doc(broadcastId).get();
  if (!snapshot.exists) throw notFound("Broadcast", "broadcast-not-found", "broadcastId");
  return { broadcastId, status: snapshot.get("status"), batchesDone: snapshot.get("batchesDone"), started: false };
}

/** Stops after the batch in progress; `resume` carries on. */
export async function pauseBroadcast(broadcastId: string): Promise<BroadcastStatus> {
  await setStatus(broadcastId, ["running", "stalled"], "paused");
  return statusOf(broadcastId);
}

/** Carries a paused or stalled broadcast on from its cursor. */
export async function resumeBroadcast(broadcastId: string): Promise<BroadcastStatus> {
  const snapshot = await setStatus(broadcastId, ["paused", "stalled", "running"], "running");
  // A fresh task id: the queue may still remember the batch that stalled under the old one.
  await enqueueBatch(broadcastId, snapshot.get("batchesDone"), snapshot.get("cursor"), `r${Date.now()}`);
  return statusOf(broadcastId);
}

async function setStatus(broadcastId: string, from: string[], to: string): Promise<DocumentSnapshot> {
  const ref = broadcasts().doc(broadcastId);
  return db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    if (!current.exists) throw notFound("Broadcast", "broadcast-not-found", "broadcastId");
    if (!from.includes(current.get("status"))) {
      throw new DomainError("failed-precondition", `The broadcast is ${current.get("status")}.`, { reason: `broadcast-${current.get("status")}` });
    }
    tx.update(ref, { status: to, updatedAt: firestoreValues().FieldValue.serverTimestamp() });
    return current;
  });
}

const BroadcastBatch = z.object({ broadcastId: z.string().min(1), batch: z.number().int().min(0), cursor: z.string().nullable() });
type BroadcastBatch = z.infer<typeof BroadcastBatch>;

async function enqueueBatch(broadcastId: string, batch: number, cursor: string | null, attemptTag = ""): Promise<void> {
  const id = `broadcast-${broadcastId}-batch-${batch}${attemptTag ? `-${attemptTag}` : ""}`;
  await enqueueTask<BroadcastBatch>(TASK_QUEUES.broadcastBatch, { broadcastId, batch, cursor }, { id });
}

// ---- one batch ----------------------------------------------------------------------------

/** The next page of the segment's profiles, in document id order. */
async function segmentPage(segment: BroadcastSegment, cursor: string | null, size: number): Promise<DocumentSnapshot[]> {
  if (segment.kind === "all-customers") {
    let query = shapedQuery("customersById", db(), "customer").limit(size);
    if (cursor) query = query.startAfter(cursor);
    return (await query.get()).docs;
  }
  let query = shapedQuery("audienceById", db().collection(COLLECTIONS.restaurantAudiences).doc(segment.restaurantId).collection(COLLECTIONS.customers)).limit(size);
  if (cursor) query = query.startAfter(cursor);
  const members = (await query.get()).docs;
  if (members.length === 0) return [];
  return db().getAll(...members.map((m) => db().collection(COLLECTIONS.users).doc(m.id)));
}

export interface BatchCounts {
  recipients: number;
  skippedByPreference: number;
  deferred: number;
  sent: number;
  failed: number;
  noDevice: number;
  alreadyHandled: number;
  retrying: number;
  /** FCM may or may not have these (no answer): not resent, listed in the ledger as `unknown`. */
  unknown: number;
  /** Handled through the one-person path (quiet hours, SMS); their outcomes are in the ledger. */
  oneByOne: number;
  pushCalls: number;
  pushMessages: number;
}

export const broadcastBatch: TaskImpl<BroadcastBatch> = {
  schema: BroadcastBatch,
  async run({ broadcastId, batch, cursor }, { finalAttempt }) {
    const broadcast = await broadcasts().doc(broadcastId).get();
    if (!broadcast.exists || broadcast.get("status") !== "running") {
      log.info("broadcast.batch-skipped", { broadcastId, batch, status: broadcast.get("status") ?? "missing" });
      return;
    }
    const size = broadcast.get("batchSize") as number;
    const started = Date.now();
    const page = (await segmentPage(broadcast.get("segment"), cursor, size)).filter((p) => p.exists);
    const segmentMs = Date.now() - started;
    const outgoing = outgoingOf(broadcastId, broadcast.get("message") as BroadcastText, broadcast.get("link") ?? null);
    const counts: BatchCounts = { recipients: page.length, skippedByPreference: 0, deferred: 0, sent: 0, failed: 0, noDevice: 0, alreadyHandled: 0, retrying: 0, unknown: 0, oneByOne: 0, pushCalls: 0, pushMessages: 0 };

    const pushOnly: Recipient[] = [];
    const oneByOne: Recipient[] = [];
    const now = new Date();
    for (const profile of page) {
      const recipient = recipientFrom(profile.id, profile.data()!);
      const wants = recipient.preferences.channels.promotions;
      if (!wants.push && !wants.sms && !wants.email) counts.skippedByPreference += 1;
      else if (minutesUntilQuietEnds(now, recipient.preferences.quietHours, recipient.timeZone) > 0) oneByOne.push(recipient);
      else if (wants.sms || wants.email) oneByOne.push(recipient);
      else pushOnly.push(recipient);
    }

    let retryLater = false;
    const bulk = await pushToMany(pushOnly, outgoing, finalAttempt);
    for (const k of ["sent", "failed", "noDevice", "alreadyHandled", "retrying", "unknown", "pushCalls", "pushMessages"] as const) counts[k] += bulk[k];
    retryLater ||= bulk.retrying > 0;

    // In quiet hours, or taking SMS or email too: the one-person path (deferral, SMS cap and opt-outs).
    for (const group of chunks(oneByOne, 10)) {
      await Promise.all(
        group.map(async (recipient) => {
          try {
            const result = await deliverTo(recipient, outgoing, { finalAttempt, defer: deferDelivery({ kind: "broadcast", broadcastId, uid: recipient.uid }) });
            if (result === "deferred") counts.deferred += 1;
            else counts.oneByOne += 1;
          } catch (error) {
            if (!(error instanceof ProviderBusy)) throw error;
            counts.retrying += 1;
            retryLater = true;
          }
        }),
      );
    }

    const { FieldValue } = firestoreValues();
    const peakRssMb = Math.round(process.memoryUsage().rss / 1_048_576);
    const timingsMs = { segment: segmentMs, ...bulk.timingsMs, total: Date.now() - started };
    await broadcasts().doc(broadcastId).collection(COLLECTIONS.batches).doc(String(batch)).set({ ...counts, cursor, peakRssMb, timingsMs, finishedAt: FieldValue.serverTimestamp() });
    if (retryLater) throw new ProviderBusy("push", "batch-has-retries");

    const last = page.at(-1)?.id ?? cursor;
    const finished = page.length < size;
    await db().runTransaction(async (tx) => {
      const ref = broadcasts().doc(broadcastId);
      const current = await tx.get(ref);
      // A resumed broadcast may run a batch twice; only the first to finish moves the cursor.
      if ((current.get("batchesDone") as number) !== batch) return;
      tx.update(ref, { cursor: last, batchesDone: batch + 1, updatedAt: FieldValue.serverTimestamp(), ...(finished ? { status: "done", finishedAt: FieldValue.serverTimestamp() } : {}) });
    });
    log.info("broadcast.batch-done", { broadcastId, batch, ...counts, peakRssMb, timingsMs });
    if (!finished) await enqueueBatch(broadcastId, batch + 1, last);
  },

  async onGiveUp({ broadcastId, batch }, deadLetterId) {
    await broadcasts().doc(broadcastId).update({ status: "stalled", stalledAt: { batch, deadLetterId }, updatedAt: firestoreValues().FieldValue.serverTimestamp() });
    log.error("broadcast.stalled", new Error(`broadcast ${broadcastId} stalled at batch ${batch}`));
  },
};

/**
 * Push to many people at once: claims written in batches (a claim that loses a race fails the
 * whole write, and the retried batch then finds it taken), devices looked up 30 owners per
 * query, messages sent PUSH_BATCH_LIMIT per call, outcomes settled per person.
 */
async function pushToMany(recipients: Recipient[], outgoing: Outgoing, finalAttempt: boolean) {
  const result = { sent: 0, failed: 0, noDevice: 0, alreadyHandled: 0, retrying: 0, unknown: 0, pushCalls: 0, pushMessages: 0, timingsMs: {} as Record<string, number> };
  if (recipients.length === 0) return result;
  let lap = Date.now();
  const time = (phase: string) => {
    result.timingsMs[phase] = Date.now() - lap;
    lap = Date.now();
  };
  const keyOf = (uid: string): MessageKey => ({ source: outgoing.source, channel: "push", uid });
  const { FieldValue } = firestoreValues();

  const current = await db().getAll(...recipients.map((r) => messageRef(keyOf(r.uid))));
  const claimed: Recipient[] = [];
  for (const group of chunks(recipients.map((r, i) => [r, current[i]] as const), 500)) {
    const batch = db().batch();
    for (const [recipient, snapshot] of group) {
      if (!isClaimable(snapshot.get("status"))) {
        result.alreadyHandled += 1;
        continue;
      }
      const text = outgoing.render(recipient.locale)!;
      const fields = { ...ledgerFields(keyOf(recipient.uid), { type: outgoing.type, category: outgoing.category, broadcastId: outgoing.broadcastId, locale: recipient.locale, ...text }), ...claimFields() };
      if (snapshot.exists) batch.update(snapshot.ref, fields, { lastUpdateTime: snapshot.updateTime! });
      else batch.create(snapshot.ref, { ...fields, createdAt: FieldValue.serverTimestamp() });
      claimed.push(recipient);
    }
    await batch.commit();
  }
  time("claim");

  const devicesByUid = new Map<string, Device[]>();
  if (claimed.length > 0) {
    const lists = await db().getAll(...claimed.map((r) => pushTargetsRef(r.uid)));
    lists.forEach((doc, i) => devicesByUid.set(claimed[i].uid, devicesIn(doc)));
  }

  time("devices");
  const targets = claimed.flatMap((recipient) => (devicesByUid.get(recipient.uid) ?? []).map((device) => ({ recipient, device })));
  const messages = targets.map(({ recipient, device }) => pushMessage(device.token, outgoing.render(recipient.locale)!, outgoing, messageId(keyOf(recipient.uid))));
  // Never throws: messages that got no answer come back `unavailable` (provably not sent: their
  // claims are released below and the batch retried) or `unknown` (left for an operator).
  const outcomes = await sendPush(messages);
  result.pushCalls = Math.ceil(messages.length / PUSH_BATCH_LIMIT);
  result.pushMessages = messages.length;
  time("send");
  await removeDeadTokens(targets.map((t) => t.device), outcomes);

  const byUid = new Map<string, typeof outcomes>();
  targets.forEach(({ recipient }, i) => byUid.set(recipient.uid, [...(byUid.get(recipient.uid) ?? []), outcomes[i]]));
  const writer = db().bulkWriter();
  for (const recipient of claimed) {
    const mine = byUid.get(recipient.uid) ?? [];
    if (mine.length === 0) {
      result.noDevice += 1;
      void writer.set(messageRef(keyOf(recipient.uid)), { status: "skipped", reason: "no-device", providerIds: [], devices: 0, errors: [], updatedAt: FieldValue.serverTimestamp() }, { merge: true });
      continue;
    }
    const verdict = pushVerdict(mine, finalAttempt);
    result[verdict.status] += 1;
    if (verdict.status === "unknown") reportUnknown(messageId(keyOf(recipient.uid)), verdict.reason);
    void writer.set(messageRef(keyOf(recipient.uid)), { status: verdict.status, reason: verdict.reason, providerIds: verdict.providerIds, devices: mine.length, errors: verdict.errors, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
  }
  await writer.close();
  time("settle");
  return result;
}

/** Totals of a finished broadcast, from the ledger and the batch records. */
export async function broadcastTotals(broadcastId: string): Promise<Record<string, number>> {
  const statuses = ["sent", "queued", "delivered", "failed", "skipped", "deferred", "retrying", "sending", "unknown"];
  const counts = await Promise.all(statuses.map(async (status) => [status, (await shapedQuery("notificationsOfBroadcastInStatus", db(), broadcastId, status).count().get()).data().count] as const));
  const batches = await broadcasts().doc(broadcastId).collection(COLLECTIONS.batches).get();
  const sum = (field: string) => batches.docs.reduce((total, doc) => total + ((doc.get(field) as number | undefined) ?? 0), 0);
  return {
    ...Object.fromEntries(counts),
    batches: batches.size,
    skippedByPreference: sum("skippedByPreference"),
    pushCalls: sum("pushCalls"),
    peakRssMb: Math.max(0, ...batches.docs.map((doc) => (doc.get("peakRssMb") as number | undefined) ?? 0)),
  };
}

// ---- the admin callable -------------------------------------------------------------------

export const startBroadcastCallable: CallableImpl<StartBroadcastRequest, BroadcastStatus> = {
  input: StartBroadcastRequest,
  run: (request, caller) => startBroadcast(request, caller.uid!),
};

/** The console's resume: the move and its audit entry (written once the broadcast runs again). */
export const resumeBroadcastCallable: CallableImpl<ResumeBroadcastRequest, BroadcastStatus> = {
  input: ResumeBroadcastRequest,
  async run({ broadcastId }, caller) {
    const status = await resumeBroadcast(broadcastId);
    await db().collection(COLLECTIONS.auditLog).add({
      action: "broadcast.resumed",
      actorUid: caller.uid,
      broadcastId,
      batchesDone: status.batchesDone,
      correlationId: caller.correlationId,
      at: firestoreValues().FieldValue.serverTimestamp(),
    });
    return status;
  },
};
