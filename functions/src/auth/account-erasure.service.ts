/**
 * Account deletion's erasure: every place the system keeps a user's uid, email, phone or name.
 * Records kept for accounting and operations (orders, their events, notification requests,
 * audit entries, promo uses, receipts and invoices, a courier's cash days) stay, with the uid
 * replaced by its keyed pseudonym; the rest is
 * deleted. Every step is safe to repeat, so a deletion that died half-way is completed by the
 * user's retry (the Auth user goes last, so they can still sign in).
 *
 * Kept on purpose: an open delivery's contact data, until the delivery ends (then it is
 * emptied, dispatch.service.ts `closeDelivery`); SMS opt-outs (a phone that said STOP); and,
 * on the local stack only, `devOutbox`, which stands for what FCM and Twilio received.
 */
import type { DocumentData, DocumentReference, Query } from "firebase-admin/firestore";
import { CALLABLES } from "../contract/callables";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { forgetRateLimitsOf } from "../shared/rate-limit";
import { forgetDevicesOf } from "../notifications/devices.service";
import { CONTACT, PRIVATE } from "../orders/personal-data";
import { shapedQuery } from "../shared/queries";
import { reconciliationId } from "../payments/cash-reconciliation";

/** Order fields of orders written before contact data moved to `private/contact`. */
const LEGACY_ORDER_FIELDS = ["customerName", "customerEmail", "customerPhone", "deliveryAddress", "deliveryInstructions"] as const;
const PAGE = 200;

/**
 * `value` with every string equal to `uid` replaced by `subject`, through plain objects and
 * arrays (history entries, offers, event payloads); timestamps and other values stay as they are.
 */
export function replaceUid<T>(value: T, uid: string, subject: string): T {
  if (value === uid) return subject as T;
  if (Array.isArray(value)) return value.map((v) => replaceUid(v, uid, subject)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceUid(v, uid, subject)])) as T;
  }
  return value;
}

/** Every document `query` matches, page by page (a user may have many orders), a page at a time in parallel. */
async function each(query: Query, work: (ref: DocumentReference, data: DocumentData) => Promise<void>): Promise<void> {
  let last: FirebaseFirestore.QueryDocumentSnapshot | undefined;
  for (;;) {
    const page = await (last ? query.startAfter(last) : query).limit(PAGE).get();
    await Promise.all(page.docs.map((doc) => work(doc.ref, doc.data())));
    if (page.size < PAGE) return;
    last = page.docs[page.size - 1];
  }
}

/** The top-level fields of `data` that hold `uid` somewhere, with it replaced. */
function pseudonymized(data: DocumentData, uid: string, subject: string): DocumentData {
  const changed: DocumentData = {};
  for (const [field, value] of Object.entries(data)) {
    const replaced = replaceUid(value, uid, subject);
    if (JSON.stringify(replaced) !== JSON.stringify(value)) changed[field] = replaced;
  }
  return changed;
}

/**
 * Rewrites the fields of `ref` that hold the uid, from the document as it is inside the
 * transaction: the workflow may be appending history or marking an event published meanwhile.
 */
function pseudonymizeOne(ref: DocumentReference, uid: string, subject: string, extra: (data: DocumentData) => DocumentData = () => ({})): Promise<void> {
  return db().runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) return;
    const changes = { ...pseudonymized(snapshot.data()!, uid, subject), ...extra(snapshot.data()!) };
    if (Object.keys(changes).length > 0) tx.update(ref, changes);
  });
}

/** Pseudonymizes every document `query` matches. */
function pseudonymize(query: Query, uid: string, subject: string): Promise<void> {
  return each(query.select(), (ref) => pseudonymizeOne(ref, uid, subject));
}

async function deleteAll(query: Query): Promise<void> {
  const writer = db().bulkWriter();
  await each(query.select(), async (ref) => void writer.delete(ref));
  await writer.close();
}

/**
 * The customer's orders: pseudonymized, contact data deleted, with their board entries and
 * audiences. Promo uses need nothing: they are counted under keyed pseudonyms only
 * (checkout/promotions.service.ts), the account's being `uid:` + this same pseudonym.
 */
async function eraseCustomerOrders(uid: string, subject: string): Promise<number> {
  const { FieldValue } = firestoreValues();
  const restaurants = new Set<string>();
  const seen = new Set<string>();
  for (const owner of [uid, subject]) {
    await each(shapedQuery("ordersOfCustomer", db(), owner), async (ref, data) => {
      seen.add(ref.id);
      restaurants.add(data.restaurantId as string);
      if (owner === subject) return; // done just now, or by an earlier attempt
      const legacy = Object.fromEntries(LEGACY_ORDER_FIELDS.map((field) => [field, FieldValue.delete()]));
      const board = db().collection(COLLECTIONS.restaurantBoards).doc(data.restaurantId as string).collection(COLLECTIONS.openOrders).doc(ref.id);
      await db().runTransaction(async (tx) => {
        const [order, entry] = await Promise.all([tx.get(ref), tx.get(board)]);
        tx.update(ref, { ...pseudonymized(order.data() ?? {}, uid, subject), ...legacy, customerFirstName: FieldValue.delete(), personalDataRemovedAt: FieldValue.serverTimestamp() });
        tx.delete(ref.collection(PRIVATE).doc(CONTACT));
        if (entry.exists) tx.update(board, { customerFirstName: null });
      });
    });
  }
  for (const restaurantId of restaurants) {
    await db().collection(COLLECTIONS.restaurantAudiences).doc(restaurantId).collection(COLLECTIONS.customers).doc(uid).delete();
  }
  return seen.size;
}

/** A courier's trail: the orders they carried keep a pseudonym and lose the courier's name. */
async function eraseCourierTrail(uid: string, subject: string): Promise<void> {
  await each(shapedQuery("ordersOfCourier", db(), uid).select(), (ref) =>
    pseudonymizeOne(ref, uid, subject, (order) => (order.courier ? { courier: { uid: subject, name: null } } : {})),
  );
  await pseudonymize(shapedQuery("deliveriesOfCourier", db(), uid), uid, subject);
  await keepCashDaysUnder(uid, subject);
  await db().collection(COLLECTIONS.couriers).doc(uid).delete();
}

/**
 * A courier's cash days stay for the accounts, under the pseudonym. Their ids name the courier
 * (`{courierUid}_{day}_{currency}`), so each moves to the pseudonym's id in one transaction.
 */
async function keepCashDaysUnder(uid: string, subject: string): Promise<void> {
  const days = db().collection(COLLECTIONS.cashReconciliations);
  await each(shapedQuery("cashReconciliationsOfCourierNewestFirst", db(), uid).select(), (ref) =>
    db().runTransaction(async (tx) => {
      const day = await tx.get(ref);
      if (!day.exists) return;
      const data = day.data()!;
      tx.set(days.doc(reconciliationId(subject, data.day as string, data.currency as string)), replaceUid(data, uid, subject));
      tx.delete(ref);
    }),
  );
}

/**
 * A broadcast's cursor is the last recipient handled, a uid. It becomes a short prefix of it: a
 * resumed broadcast then starts a little earlier in the same order (its ledger keeps those
 * people from hearing it twice) and skips nobody; the prefix does not name the person.
 */
async function eraseBroadcastCursors(uid: string): Promise<void> {
  const position = uid.slice(0, 4);
  const broadcasts = await db().collection(COLLECTIONS.broadcasts).select("cursor").get();
  for (const broadcast of broadcasts.docs) {
    if (broadcast.get("cursor") === uid) await broadcast.ref.update({ cursor: position });
    await each(shapedQuery("broadcastBatchesAtCursor", broadcast.ref.collection(COLLECTIONS.batches), uid).select(), (ref) => ref.update({ cursor: position }).then(() => undefined));
  }
}

/** Erases `uid` everywhere (see the module comment); returns how many orders were anonymized. */
export async function eraseAccountData(uid: string, subject: string): Promise<number> {
  const orders = await eraseCustomerOrders(uid, subject);
  await eraseCourierTrail(uid, subject);
  const collection = (name: string) => db().collection(name);
  // Records that stay, with the pseudonym: the order events and notification requests.
  const kept = [
    "outboxOfCustomer",
    "outboxOfCourier",
    "notificationRequestsOfCustomer",
    "notificationRequestsOfCourier",
    // Receipts and invoices are kept as the tax law asks; an invoice keeps the buyer's legal details it was made out to.
    "receiptsOfCustomer",
    "invoicesOfCustomer",
    "auditLogByActor",
    "auditLogByTarget",
    // Failed work kept for replay: a task's data (a notification's recipient) or an event's body.
    "deadLettersOfTaskRecipient",
    "deadLettersOfTaskCourier",
    "deadLettersOfEventCustomer",
    "deadLettersOfEventCourier",
  ] as const;
  for (const name of kept) await pseudonymize(shapedQuery(name, db(), uid), uid, subject);
  // Records with no use once the person is gone (their ids name the uid, too).
  await eraseBroadcastCursors(uid);
  for (const name of ["notificationsOfUser", "smsUsageOfUser", "probesOfUser"] as const) await deleteAll(shapedQuery(name, db(), uid));
  await deleteAll(shapedQuery("idempotencyKeysInScope", db(), `checkout:${uid}`));
  await collection(COLLECTIONS.cashCheckoutGuards).doc(uid).delete();
  await forgetRateLimitsOf(uid, Object.values(CALLABLES));
  await forgetDevicesOf(uid);
  const { forgetPaymentCustomer } = await import("../payments/stripe.gateway.js");
  await forgetPaymentCustomer(uid);
  await db().recursiveDelete(collection(COLLECTIONS.users).doc(uid));
  return orders;
}
