/**
 * The notifications ledger: `notifications/{source}__{channel}__{uid}`, one document per message
 * a recipient should get on a channel, for one source (an order event or a broadcast). Its id is
 * the dedupe key: a message is sent only by whoever claims its document, so redelivered events
 * and retried tasks never send it twice.
 *
 * Statuses: `sending` (claimed, provider called), `retrying` (provider said later),
 * `deferred` (quiet hours), `queued` (SMS accepted by Twilio), `sent`, `delivered`, `failed`,
 * `skipped` (by preference, no device, opted out, over the cap). A claim that never settled
 * (the process died mid-send) stays `sending`: resending could send twice, so it is left for an
 * operator rather than guessed.
 */
import type { Transaction } from "firebase-admin/firestore";
import type { Category } from "../contract/notifications";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { db, firestoreValues } from "../shared/firebase";

export type Channel = "push" | "sms";
export type MessageStatus = "sending" | "retrying" | "deferred" | "queued" | "sent" | "delivered" | "failed" | "skipped";

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

/**
 * How long a claim may stay `sending`: longer than the longest sender runs (a broadcast batch's
 * 300 s timeout), so an older one was left by a process that died mid-send.
 */
export const SENDING_LEASE_MS = 10 * 60_000;

const CLAIMABLE: ReadonlySet<string> = new Set(["retrying", "deferred"]);

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
export const isClaimable = (status: string | undefined) => status === undefined || CLAIMABLE.has(status);

export type Claim = { claimed: true } | { claimed: false; status: MessageStatus; reason?: string };

/**
 * Claims a message for sending. `guard` runs in the same transaction after the ledger read and
 * may refuse with a reason (the message is then recorded `skipped`); it may write, never read
 * after writing.
 */
export async function claimMessage(key: MessageKey, facts: MessageFacts, guard?: (tx: Transaction) => Promise<string | null>): Promise<Claim> {
  const ref = messageRef(key);
  const { FieldValue } = firestoreValues();
  return db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    const status = current.get("status") as MessageStatus | undefined;
    if (!isClaimable(status)) return { claimed: false, status: status!, reason: current.get("reason") as string | undefined };
    const refusal = guard ? await guard(tx) : null;
    if (refusal) {
      tx.set(ref, { ...ledgerFields(key, facts), status: "skipped", reason: refusal, createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
      return { claimed: false, status: "skipped", reason: refusal };
    }
    tx.set(ref, { ...ledgerFields(key, facts), status: "sending", attempts: FieldValue.increment(1), createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
    return { claimed: true };
  });
}

/** Records a message that will not be sent now (skipped or deferred), unless it is already past that. */
export async function recordUnsent(key: MessageKey, facts: MessageFacts, status: "skipped" | "deferred", fields: Record<string, unknown>): Promise<void> {
  const ref = messageRef(key);
  const { FieldValue } = firestoreValues();
  await db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    if (!isClaimable(current.get("status"))) return;
    tx.set(ref, { ...ledgerFields(key, facts), status, ...fields, createdAt: current.get("createdAt") ?? FieldValue.serverTimestamp() }, { merge: true });
  });
}

/** Writes the outcome of a claimed send. */
export async function settleMessage(key: MessageKey, status: MessageStatus, fields: Record<string, unknown> = {}): Promise<void> {
  const { FieldValue } = firestoreValues();
  await messageRef(key).set({ status, ...fields, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
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

const PROGRESS: Partial<Record<MessageStatus, number>> = { sending: 0, queued: 1, sent: 2, delivered: 3, failed: 3 };

/** Reports arrive out of order: only a later stage moves a message (a late "sent" never undoes "delivered"). */
export const movesForward = (from: MessageStatus, to: MessageStatus) => (PROGRESS[to] ?? -1) > (PROGRESS[from] ?? -1);
