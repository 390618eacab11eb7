/**
 * The notifications ledger: `notifications/{source}__{channel}__{uid}`, one document per message
 * a recipient should get on a channel, for one source (an order event or a broadcast). Its id is
 * the dedupe key: a message is sent only by whoever claims its document, so redelivered events
 * and retried tasks never send it twice.
 *
 * Statuses, and every move between them, are the TRANSITIONS table below. A claim (`sending`)
 * carries a lease (`sendingSince`, `leaseExpiresAt`). Where the provider may have the message
 * but never said so (a timeout, a connection reset after the request left, a sender that died
 * mid-call and whose lease ran out) the message is `unknown`: never resent, since that could
 * send it twice, but listed for an operator and settled by the provider's delivery report.
 */
import type { Transaction } from "firebase-admin/firestore";
import type { Category } from "../contract/notifications";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { shapedQuery } from "../shared/queries";

export type Channel = "push" | "sms" | "email";
export const MESSAGE_STATUSES = ["sending", "retrying", "deferred", "queued", "sent", "delivered", "failed", "skipped", "unknown"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `null`: no ledger entry yet. */
type From = MessageStatus | null;

/** Every allowed move of a message. Anything absent is refused. */
export const TRANSITIONS: { from: From[]; to: MessageStatus; why: string }[] = [
  { from: [null, "retrying", "deferred"], to: "sending", why: "claimed: the provider is about to be called" },
  { from: [null, "retrying", "deferred"], to: "deferred", why: "quiet hours" },
  { from: [null, "retrying", "deferred"], to: "skipped", why: "preference, no device, no verified or allowed number, opted out, over a cap or the budget" },
  { from: ["sending"], to: "skipped", why: "claimed, then no device to send to" },
  { from: ["sending"], to: "retrying", why: "the provider said later, or provably never got it" },
  { from: ["sending"], to: "unknown", why: "the provider may have it: timeout, reset, lease expired" },
  { from: ["sending", "unknown"], to: "queued", why: "Twilio took it" },
  { from: ["sending", "unknown", "queued"], to: "sent", why: "the provider sent it" },
  { from: ["sending", "unknown", "queued", "sent"], to: "delivered", why: "the provider reports it delivered" },
  { from: ["sending", "unknown", "queued", "sent"], to: "failed", why: "refused, undelivered, or out of retries" },
];

export const canMove = (from: From | undefined, to: MessageStatus) => TRANSITIONS.some((t) => t.to === to && t.from.includes(from ?? null));

/** How long a claim may stay `sending` before the sweep calls its outcome unknown: longer than any sender runs. */
export const LEASE_MS = 10 * 60_000;
/** The lease, as the invariant auditor measures a claim left `sending`. */
export const SENDING_LEASE_MS = LEASE_MS;

export interface MessageKey {
  /** The order event id, or `broadcast-{id}`. */
  source: string;
  channel: Channel;
  uid: string;
}

/** What the ledger says about a message besides its status. */
export interface MessageFacts {
  type: string;
  category: Category;
  orderId?: string;
  broadcastId?: string;
  title: string;
  body: string;
  locale: string;
}

export const messageId = (key: MessageKey) => `${key.source}__${key.channel}__${key.uid}`.replace(/\//g, "_");
export const messageRef = (key: MessageKey) => db().collection(COLLECTIONS.notifications).doc(messageId(key));

export function ledgerFields(key: MessageKey, facts: MessageFacts) {
  const { FieldValue } = firestoreValues();
  return {
    source: key.source,
    channel: key.channel,
    uid: key.uid,
    type: facts.type,
    category: facts.category,
    orderId: facts.orderId ?? null,
    broadcastId: facts.broadcastId ?? null,
    title: facts.title,
    body: facts.body,
    locale: facts.locale,
    correlationId: correlationId(),
    updatedAt: FieldValue.serverTimestamp(),
  };
}

/** Whether a message in `status` may be (re)sent by whoever claims it now. */
export const isClaimable = (status: MessageStatus | undefined) => canMove(status, "sending");

/** The fields that make an entry a claim: `sending`, with its lease. */
export function claimFields() {
  const { FieldValue, Timestamp } = firestoreValues();
  return { status: "sending" as const, attempts: FieldValue.increment(1), sendingSince: FieldValue.serverTimestamp(), leaseExpiresAt: Timestamp.fromMillis(Date.now() + LEASE_MS) };
}

export type Claim = { claimed: true } | { claimed: false; status: MessageStatus; reason?: string };

/**
 * Claims a message for sending. `guard` runs in the same transaction after the ledger read and
 * may refuse with a reason (the message is then recorded `skipped`); it may write, never read
 * after writing.
 */
export async function claimMessage(key: MessageKey, facts: MessageFacts, guard?: (tx: Transaction) => Promise<string | null>): Promise<Claim> {
  const ref = messageRef(key);
  const { FieldValue } = firestoreValues();
  let refused: string | null = null;
  const claim = await db().runTransaction(async (tx): Promise<Claim> => {
    refused = null;
    const current = await tx.get(ref);
    const status = current.get("status") as MessageStatus | undefined;
    if (!isClaimable(status)) return { claimed: false, status: status!, reason: current.get("reason") as string | undefined };
    const refusal = guard ? await guard(tx) : null;
    refused = refusal;
    if (refusal) {
      tx.set(ref, { ...ledgerFields(key, facts), status: "skipped", reason: refusal, createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
      return { claimed: false, status: "skipped", reason: refusal };
    }
    tx.set(ref, { ...ledgerFields(key, facts), ...claimFields(), createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
    return { claimed: true };
  });
  if (refused) logRecorded(key, "skipped", refused);
  return claim;
}

/** Records a message that will not be sent now (skipped or deferred), unless it is already past that. */
export async function recordUnsent(key: MessageKey, facts: MessageFacts, status: "skipped" | "deferred", fields: Record<string, unknown>): Promise<void> {
  const ref = messageRef(key);
  const { FieldValue } = firestoreValues();
  const recorded = await db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    const from = current.get("status") as MessageStatus | undefined;
    if (!isClaimable(from) || !canMove(from, status)) return false;
    tx.set(ref, { ...ledgerFields(key, facts), status, ...fields, createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
    return true;
  });
  if (recorded) logRecorded(key, status, fields.reason);
}

/** Writes the outcome of a claimed send, if the table allows the move (a sweep may have got there first). */
export async function settleMessage(key: MessageKey, status: MessageStatus, fields: Record<string, unknown> = {}): Promise<void> {
  const ref = messageRef(key);
  const { FieldValue } = firestoreValues();
  const from = await db().runTransaction(async (tx) => {
    const current = (await tx.get(ref)).get("status") as MessageStatus | undefined;
    if (canMove(current, status)) tx.set(ref, { status, ...fields, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
    return current;
  });
  if (!canMove(from, status)) log.warn("notification.move-refused", { messageId: messageId(key), from: from ?? null, to: status });
  else logRecorded(key, status, fields.reason);
  if (status === "unknown") reportUnknown(messageId(key), fields.reason);
}

/** The line operations count notifications by: channel, status and why (a code, never text). */
function logRecorded(key: MessageKey, status: MessageStatus, reason: unknown): void {
  log.info(OPS_EVENTS.notificationRecorded.name, { messageId: messageId(key), channel: key.channel, status, reason: typeof reason === "string" ? reason : null });
}

/** An outcome nobody knows is an operator's business: an error line, and the entry stays listed by status. */
export function reportUnknown(id: string, reason: unknown): void {
  log.error("notification.outcome-unknown", new Error(`notification ${id}: outcome unknown (${String(reason)}); not resent`), { messageId: id, reason });
}

const SWEEP_BATCH = 200;

/** Marks `unknown` the claims whose lease ran out (their sender died mid-call); returns how many. */
export async function sweepLedger(now = Date.now()): Promise<number> {
  const { FieldValue, Timestamp } = firestoreValues();
  const stale = await shapedQuery("notificationsLeaseExpired", db(), "sending", Timestamp.fromMillis(now)).limit(SWEEP_BATCH).get();
  let swept = 0;
  for (const doc of stale.docs) {
    const moved = await db().runTransaction(async (tx) => {
      const current = await tx.get(doc.ref);
      const lease = current.get("leaseExpiresAt") as { toMillis(): number } | undefined;
      if (current.get("status") !== "sending" || !lease || lease.toMillis() >= now) return false;
      tx.update(doc.ref, { status: "unknown", reason: "lease-expired", updatedAt: FieldValue.serverTimestamp() });
      return true;
    });
    if (!moved) continue;
    reportUnknown(doc.id, "lease-expired");
    swept += 1;
  }
  return swept;
}

// ---- provider status reports (Twilio callbacks) ---------------------------------------------

/** Twilio's message statuses as ours. */
export function statusOfTwilio(twilioStatus: string): MessageStatus | undefined {
  switch (twilioStatus) {
    case "accepted":
    case "scheduled":
    case "queued":
    case "sending":
      return "queued";
    case "sent":
      return "sent";
    case "delivered":
    case "read":
      return "delivered";
    case "undelivered":
    case "failed":
    case "canceled":
      return "failed";
    default:
      return undefined;
  }
}

/** Reports arrive out of order: only a later stage moves a message (a late "sent" never undoes "delivered"). */
export const movesForward = (from: MessageStatus, to: MessageStatus) => canMove(from, to);
