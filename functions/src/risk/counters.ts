/**
 * Fraud-rule counters: events (a failed payment, an order) per key and hour, one small document
 * per (series, hour) at `riskCounters/{series}/hours/{hour}`, where a series is a counter and the
 * keyed hash of its key (shared/pseudonym.ts): no uid, card, address or device is stored. Only
 * one key's checkouts ever touch its documents, so there is no hot document; a window is one
 * query over its hours. TTL on `expireAt` deletes hours older than any window.
 *
 * Counting runs inside the caller's transaction. A counter the checkout itself increments is
 * read, near its limit, in that transaction with its current hour's document by id, so two
 * checkouts of one key at once conflict on it and the second counts the first (a query alone
 * would not see a document created concurrently). Far from the limit it is read before, without
 * locks (risk/checkout-risk.service.ts).
 */
import type { DocumentData, DocumentReference, Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { shapedQuery } from "../shared/queries";
import type { RiskCounter } from "./rules";

const HOUR_MS = 3_600_000;
/** Hours an hour document outlives its hour: longer than any window a param would set. */
const KEEP_HOURS = 24 * 8;

export const hourOf = (ms: number) => Math.floor(ms / HOUR_MS);

/** A counter's series for one key, by the key's keyed hash. */
export function seriesRef(counter: RiskCounter, keyHash: string): DocumentReference {
  return db().collection(COLLECTIONS.riskCounters).doc(`${counter}-${keyHash}`);
}

export function hourRef(series: DocumentReference, hour: number): DocumentReference {
  return series.collection(COLLECTIONS.hours).doc(String(hour));
}

/** One series' hours of a window as read: their sum and the documents (some carry more than a count). */
export interface WindowRead {
  count: number;
  hours: DocumentData[];
}

/**
 * Reads the events of `series` in the `windowHours` up to `nowMs` (the current hour included):
 * in `tx` when given, else as a plain read that locks nothing. Costs one read per hour document
 * that exists, and at least one for the query; with `lockCurrentHour` (in a transaction), one
 * more for the current hour's document read by id.
 */
export async function readWindow(tx: Transaction | null, series: DocumentReference, windowHours: number, nowMs: number, lockCurrentHour = false): Promise<WindowRead> {
  const current = hourOf(nowMs);
  const first = current - Math.max(1, windowHours) + 1;
  const byId = tx !== null && lockCurrentHour;
  const query = shapedQuery("riskCounterHoursBetween", series.collection(COLLECTIONS.hours), first, byId ? current : current + 1);
  const [earlier, now] = await Promise.all([tx ? tx.get(query) : query.get(), byId ? tx.get(hourRef(series, current)) : undefined]);
  const data = [...earlier.docs.map((d) => d.data()), ...(now?.exists ? [now.data()!] : [])];
  return { count: data.reduce((sum, d) => sum + ((d.count as number | undefined) ?? 0), 0), hours: data };
}

/** Counts one event of `series` in the hour of `nowMs`, in `tx` (after its reads); `extra` merges into the hour. */
export function countEvent(tx: Transaction, series: DocumentReference, nowMs: number, extra: Record<string, unknown> = {}): void {
  const { FieldValue, Timestamp } = firestoreValues();
  const hour = hourOf(nowMs);
  tx.set(hourRef(series, hour), { hour, count: FieldValue.increment(1), expireAt: Timestamp.fromMillis((hour + KEEP_HOURS) * HOUR_MS), ...extra }, { merge: true });
}
