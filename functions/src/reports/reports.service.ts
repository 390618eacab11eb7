/**
 * The restaurant and payment reports, kept from the orders. Every write of an order runs
 * `projectOrder` once (the processed-events ledger drops a repeated event); it re-reads the
 * order and what the order counted for until now (`reportContributions/{orderId}`) in one
 * transaction and adds only the difference. A repeated, late or reordered event therefore
 * counts once, and the reports always converge to the orders as they stand, which is exactly
 * what `rebuildReports` adds up afresh.
 *
 * Why a trigger on the order rather than the `orders.v1.events` subscription: a payment
 * captured or refunded after the move that caused it (settlement, the Stripe webhook) changes
 * the order without an order event, and the reports must see it.
 *
 * No hot document: a restaurant's day is its own document (written by that restaurant's orders
 * only); the payments day every order writes is split into PAYMENT_REPORT_SHARDS documents,
 * each order always writing the same one (by its id), read back as their sum. Writes are
 * increments, never read in the transaction, so projections of different orders do not
 * conflict.
 */
import type { DocumentReference, QueryDocumentSnapshot, Transaction, WriteBatch } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { runOnce } from "../shared/idempotency";
import { log } from "../shared/log";
import { shapedQuery } from "../shared/queries";
import type { DocumentWrittenImpl } from "../shared/firestore-trigger";
import { contributionOf, difference, flatten, nested, PAYMENT_REPORT_SHARDS, sum, type Contribution, type Figures } from "./contribution";

const HANDLER = "reports-onOrderWritten";

export const restaurantDayRef = (restaurantId: string, day: string) =>
  db().collection(COLLECTIONS.restaurantReports).doc(restaurantId).collection(COLLECTIONS.reportDays).doc(day);
export const paymentShardRef = (day: string, shard: number) =>
  db().collection(COLLECTIONS.paymentReports).doc(day).collection(COLLECTIONS.reportShards).doc(String(shard));
const contributionRef = (orderId: string) => db().collection(COLLECTIONS.reportContributions).doc(orderId);

export const onOrderWritten: DocumentWrittenImpl = {
  async handle({ eventId, documentId }) {
    await projectOrder(documentId, eventId);
  },
};

/** Brings the reports in line with the order as it stands; false when the event was already applied. */
export async function projectOrder(orderId: string, eventId: string): Promise<boolean> {
  const { applied } = await runOnce(HANDLER, eventId, async (tx) => {
    const [order, counted] = await tx.getAll(db().collection(COLLECTIONS.orders).doc(orderId), contributionRef(orderId));
    const before = counted.exists ? (counted.data() as Contribution) : undefined;
    const after = contributionOf(orderId, order.data());
    writeChange(tx, before, after);
    if (after) tx.set(counted.ref, after);
    else if (before) tx.delete(counted.ref);
  });
  return applied;
}

/** Writes `after - before` to the documents they count in (the same ones, as an order's day and restaurant never change). */
function writeChange(tx: Transaction, before: Contribution | undefined, after: Contribution | undefined): void {
  const same = before && after && before.restaurantId === after.restaurantId && before.day === after.day && before.shard === after.shard;
  if (same || !before) {
    if (after) increment(tx, after, difference(after.restaurant, before?.restaurant ?? {}), difference(after.payments, before?.payments ?? {}));
    return;
  }
  increment(tx, before, difference({}, before.restaurant), difference({}, before.payments));
  if (after) increment(tx, after, after.restaurant, after.payments);
}

function increment(tx: Transaction, where: Contribution, restaurant: Figures, payments: Figures): void {
  const { FieldValue } = firestoreValues();
  const by = (n: number) => FieldValue.increment(n);
  if (Object.keys(restaurant).length > 0) {
    tx.set(restaurantDayRef(where.restaurantId, where.day), restaurantDocument(where, nested(restaurant, by), FieldValue.serverTimestamp()), { merge: true });
  }
  if (Object.keys(payments).length > 0) {
    tx.set(paymentShardRef(where.day, where.shard), { day: where.day, shard: where.shard, ...nested(payments, by), updatedAt: FieldValue.serverTimestamp() }, { merge: true });
  }
}

/** A restaurant day's document: the figures (increments or totals) with the names of its items. */
function restaurantDocument(where: Pick<Contribution, "restaurantId" | "day" | "itemNames">, figures: Record<string, unknown>, updatedAt: unknown) {
  const items = (figures.items ?? {}) as Record<string, Record<string, unknown>>;
  for (const id of Object.keys(items)) if (where.itemNames[id]) items[id].name = where.itemNames[id];
  return { restaurantId: where.restaurantId, day: where.day, ...figures, updatedAt };
}

// ------------------------------------------------------------------- reading

/**
 * A restaurant day as figures by dotted path (`orders`, `items.x.quantity`), without the zeros:
 * a figure counted up and back down (an order cancelled, then refunded) reads as one never
 * counted, as a rebuild writes it. Empty when nothing counted.
 */
export async function readRestaurantDay(restaurantId: string, day: string): Promise<Figures> {
  return withoutZeros(flatten((await restaurantDayRef(restaurantId, day).get()).data()));
}

function withoutZeros(figures: Figures): Figures {
  return Object.fromEntries(Object.entries(figures).filter(([, value]) => value !== 0));
}

/** A payments day: the sum of its shards, by dotted path (`card.EUR.capturedAmount`), without the zeros. */
export async function readPaymentsDay(day: string): Promise<Figures> {
  const shards = await db().getAll(...Array.from({ length: PAYMENT_REPORT_SHARDS }, (_, n) => paymentShardRef(day, n)));
  const total: Figures = {};
  for (const shard of shards) {
    const figures = flatten(shard.data());
    delete figures.shard;
    sum(total, figures);
  }
  return withoutZeros(total);
}

// ------------------------------------------------------------------- rebuilding

export interface RebuildResult {
  orders: number;
  days: string[];
  restaurantDays: number;
}

/**
 * Recomputes the reports from the orders (those created on `day`, or all), replacing the
 * documents of every day it touches and each order's contribution record. Run it when live
 * projection is suspected to have drifted (a trigger that exhausted its retries) or after
 * changing the counting rules; orders changing while it runs are set right by their next write.
 */
export async function rebuildReports(options: { day?: string } = {}, progress: (line: string) => void = () => undefined): Promise<RebuildResult> {
  const orders = db().collection(COLLECTIONS.orders);
  const restaurantDays = new Map<string, { where: Contribution; figures: Figures; names: Record<string, string> }>();
  const paymentShards = new Map<string, Figures>();
  const contributions: Contribution[] = [];
  const { Timestamp } = firestoreValues();
  const PAGE = 500;
  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    let page = options.day
      ? shapedQuery("ordersCreatedBetweenById", orders, Timestamp.fromDate(new Date(`${options.day}T00:00:00Z`)), Timestamp.fromDate(new Date(Date.parse(`${options.day}T00:00:00Z`) + 86_400_000)))
      : shapedQuery("ordersById", orders);
    if (last) page = page.startAfter(last);
    const snapshot = await page.limit(PAGE).get();
    for (const order of snapshot.docs) {
      const c = contributionOf(order.id, order.data());
      if (!c) continue;
      contributions.push(c);
      const key = `${c.restaurantId}/${c.day}`;
      const entry = restaurantDays.get(key) ?? { where: c, figures: {}, names: {} };
      sum(entry.figures, c.restaurant);
      Object.assign(entry.names, c.itemNames);
      restaurantDays.set(key, entry);
      const shardKey = `${c.day}/${c.shard}`;
      paymentShards.set(shardKey, sum(paymentShards.get(shardKey) ?? {}, c.payments));
    }
    if (snapshot.size < PAGE) break;
    last = snapshot.docs[snapshot.size - 1];
  }
  const days = [...new Set(contributions.map((c) => c.day))].sort();
  if (options.day && !days.includes(options.day)) days.push(options.day);
  progress(`${contributions.length} orders over ${days.length} days, ${restaurantDays.size} restaurant days`);

  const { FieldValue } = firestoreValues();
  const writes: ((batch: WriteBatch) => void)[] = [];
  const write = (ref: DocumentReference, data: Record<string, unknown>) => writes.push((batch) => batch.set(ref, data));
  for (const { where, figures, names } of restaurantDays.values()) {
    if (Object.keys(figures).length === 0) continue;
    write(restaurantDayRef(where.restaurantId, where.day), restaurantDocument({ ...where, itemNames: names }, nested(figures, (n) => n), FieldValue.serverTimestamp()));
  }
  for (const day of days) {
    for (let shard = 0; shard < PAYMENT_REPORT_SHARDS; shard++) {
      write(paymentShardRef(day, shard), { day, shard, ...nested(paymentShards.get(`${day}/${shard}`) ?? {}, (n) => n), updatedAt: FieldValue.serverTimestamp() });
    }
  }
  for (const c of contributions) write(contributionRef(c.orderId), { ...c });
  for (let i = 0; i < writes.length; i += 400) {
    const batch = db().batch();
    writes.slice(i, i + 400).forEach((w) => w(batch));
    await batch.commit();
  }
  log.info("reports.rebuilt", { orders: contributions.length, days: days.length, restaurantDays: restaurantDays.size });
  return { orders: contributions.length, days, restaurantDays: restaurantDays.size };
}
