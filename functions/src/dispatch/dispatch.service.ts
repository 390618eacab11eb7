/**
 * Courier dispatch. Couriers report availability and location (`couriers/{uid}`, geohashed).
 * Once the restaurant accepts an order, it is offered to the nearest free courier: the offer
 * is claimed on both documents in one transaction, so no courier holds two offers and no order
 * two couriers. A courier who declines, or does not answer within COURIER_OFFER_SECONDS, is
 * skipped and the next nearest is asked. With nobody free, the search repeats; after
 * COURIER_SEARCH_MINUTES it escalates (order flagged for an operator, radius doubled), and after
 * as long again the order is cancelled, which refunds the customer.
 */
import type { DocumentSnapshot, Transaction } from "firebase-admin/firestore";
import { distanceBetween, geohashForLocation, geohashQueryBounds } from "geofire-common";
import { z } from "zod";
import { CourierOrderAction, CourierStatusRequest, type OrderActionResponse } from "../contract/orders";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { currentContext, withContext } from "../shared/context";
import { DomainError, failedPrecondition, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { runOnceThen } from "../shared/idempotency";
import { log } from "../shared/log";
import { courierOfferSeconds, courierSearchMinutes, courierSearchRadiusKm } from "../shared/params";
import type { SubscriberImpl } from "../shared/subscriber";
import type { TaskImpl } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { faultPoint } from "../shared/faults";
import { decideOfferEnd, PASSED_ON, type OfferEnd, type OpenOffer } from "./offer-state";
import { attentionFlag, logAttentionFlagged } from "../orders/attention";
import { CONTACT, DELIVERY_CONTACT_FIELDS, openDelivery, PRIVATE, type CustomerContact } from "../orders/personal-data";
import { OrderEventMessage } from "../orders/order-event";
import { GIVEN_UP_STATES, type OrderState } from "../orders/order-state";
import { actorOf, cancelBySystem, orderCorrelationId, orderRefOf, readOrder, SYSTEM, transitionOrder, writeOrderEvent } from "../orders/transition.service";
import { shapedQuery } from "../shared/queries";
import { endTracking, planEndTracking } from "./tracking.service";

/** Seconds between searches while nobody is free. */
const SEARCH_INTERVAL_SECONDS = 30;
/** Nearest candidates tried per search before waiting for the next. */
const CANDIDATES_PER_SEARCH = 5;
const AWAITING_COURIER: OrderState[] = ["accepted", "preparing", "ready"];
const COURIER_OFFERED = "orders.v1.courier-offered";
const ENDED: OrderState[] = ["delivered", ...GIVEN_UP_STATES];

const couriers = () => db().collection(COLLECTIONS.couriers);
const orders = () => db().collection(COLLECTIONS.orders);
const deliveries = () => db().collection(COLLECTIONS.deliveries);
const contactRef = (orderId: string) => orders().doc(orderId).collection(PRIVATE).doc(CONTACT);

const offerOf = (order: DocumentSnapshot) => (order.get("dispatch.offer") as OpenOffer | null | undefined) ?? null;
const needsCourier = (order: DocumentSnapshot) => AWAITING_COURIER.includes(order.get("status") as OrderState) && !order.get("courierUid");

// ---- couriers' own calls ------------------------------------------------------------------

/** Where a courier is, as the search indexes it. */
export function courierPosition(location: { lat: number; lng: number }) {
  return { location, geohash: geohashForLocation([location.lat, location.lng]) };
}

export const updateCourierStatus: CallableImpl<CourierStatusRequest, { available: boolean }> = {
  input: CourierStatusRequest,
  async run({ available, location }, caller) {
    const { FieldValue } = firestoreValues();
    const profile = await db().collection(COLLECTIONS.users).doc(caller.uid!).get();
    const ref = couriers().doc(caller.uid!);
    const current = await ref.get();
    if (available && !location && !current.get("location")) {
      throw new DomainError("invalid-argument", "Share your location to take deliveries.", { reason: "invalid-request", fields: [{ path: "location", message: "Required when becoming available for the first time." }] });
    }
    await ref.set(
      {
        uid: caller.uid,
        name: (profile.get("displayName") as string | undefined) ?? null,
        available,
        ...(location ? courierPosition(location) : {}),
        updatedAt: FieldValue.serverTimestamp(),
      },
      { merge: true },
    );
    return { available };
  },
};

export const courierAction: CallableImpl<CourierOrderAction, OrderActionResponse> = {
  input: CourierOrderAction,
  async run({ orderId, action }, caller) {
    const uid = caller.uid!;
    switch (action) {
      case "accept":
        return answerOffer(orderId, uid, true);
      case "decline":
        return answerOffer(orderId, uid, false);
      case "picked_up": {
        const result = await transitionOrder(orderId, action, actorOf(caller), "courier: picked up");
        return { orderId, status: result.to };
      }
      case "delivered": {
        // The live position goes with the move: nobody reads where the courier is once the food is in.
        const result = await transitionOrder(orderId, action, actorOf(caller), "courier: delivered", { alsoWrite: (tx) => planEndTracking(tx, orderId) });
        return { orderId, status: result.to };
      }
    }
  },
};

/** The courier takes or turns down the offer made to them. */
async function answerOffer(orderId: string, uid: string, accept: boolean): Promise<OrderActionResponse> {
  const { FieldValue } = firestoreValues();
  const answered = await db().runTransaction(async (tx) => {
    const [order, courier, contact] = await Promise.all([tx.get(orders().doc(orderId)), tx.get(couriers().doc(uid)), tx.get(contactRef(orderId))]);
    if (!order.exists) throw notFound("Order", "order-not-found", "orderId");
    const result = { status: order.get("status") as string, correlationId: orderCorrelationId(order) };
    if (order.get("courierUid") === uid && accept) return result; // a repeated accept
    const offer = offerOf(order);
    if (offer?.courierUid !== uid) {
      // A repeated decline (the first one committed, the search after it failed) redoes that search.
      const last = order.get("dispatch.lastOffer") as { courierUid?: string; outcome?: OfferEnd } | null | undefined;
      if (!accept && last?.courierUid === uid && last.outcome === "declined") return result;
      const wasOffered = ((order.get("dispatch.offeredTo") as string[] | undefined) ?? []).includes(uid);
      if (wasOffered) throw failedPrecondition("This offer is no longer open.", "offer-expired");
      throw permissionDenied("This delivery was not offered to you.", "not-your-offer");
    }
    if (accept && !needsCourier(order)) throw failedPrecondition("This order no longer needs a courier.", "offer-expired");
    if (accept) {
      const name = (courier.get("name") as string | null | undefined) ?? null;
      tx.update(order.ref, {
        courierUid: uid,
        courier: { uid, name },
        "dispatch.status": "assigned",
        "dispatch.offer": null,
        "dispatch.lastOffer": { ...offer, outcome: "accepted", at: firestoreValues().Timestamp.now() },
        "dispatch.dueAt": null,
        "dispatch.escalateAt": null,
        "dispatch.assignedAt": FieldValue.serverTimestamp(),
        ...(order.get("attention.reason") === "no-courier" ? { attention: FieldValue.delete() } : {}),
        updatedAt: FieldValue.serverTimestamp(),
      });
      tx.set(couriers().doc(uid), { offer: null, activeOrderId: orderId, updatedAt: FieldValue.serverTimestamp() }, { merge: true });
      // The address and phone reach the courier now, in a document only they (and admins) read.
      tx.set(deliveries().doc(orderId), { ...openDelivery(orderId, uid, contact.data() as CustomerContact | undefined), openedAt: FieldValue.serverTimestamp() });
      writeOrderEvent(tx, orderRefOf(order), "orders.v1.courier-assigned", { version: (order.get("version") as number | undefined) ?? 1, courierUid: uid });
    } else {
      endOffer(tx, order, courier, "declined");
    }
    return result;
  });
  log.info(accept ? "dispatch.offer-accepted" : "dispatch.offer-declined", { orderId });
  // The search that follows belongs to the order's story, under its checkout's correlation id.
  if (!accept) await withContext({ ...currentContext()!, correlationId: answered.correlationId }, () => searchNow(orderId));
  return { orderId, status: answered.status };
}

/**
 * Ends the order's open offer as `to` (offer-state.ts), on both documents in `tx`: the order
 * records how it ended (`dispatch.lastOffer`); the courier's document is cleared only while it
 * still shows this order's offer, since by now it may hold another order's. A courier who passed
 * the order on is asked again only after everyone else (see candidates); the search that follows
 * is due at once, so if it never comes the stall sweep sees it.
 */
function endOffer(tx: Transaction, order: DocumentSnapshot, courier: DocumentSnapshot, to: OfferEnd): void {
  const { FieldValue, Timestamp } = firestoreValues();
  const open = offerOf(order)!;
  const ended = { "dispatch.offer": null, "dispatch.lastOffer": { ...open, outcome: to, at: Timestamp.now() }, updatedAt: FieldValue.serverTimestamp() };
  if (PASSED_ON.includes(to)) {
    tx.update(order.ref, { ...ended, "dispatch.dueAt": Timestamp.now(), "dispatch.status": "searching", "dispatch.skipped": FieldValue.arrayUnion(courier.id) });
  } else if (to === "withdrawn") {
    tx.update(order.ref, { ...ended, "dispatch.dueAt": null, "dispatch.escalateAt": null });
  } else {
    tx.update(order.ref, ended);
  }
  if (courier.exists && courier.get("offer.orderId") === order.id) tx.update(courier.ref, { offer: null, updatedAt: FieldValue.serverTimestamp() });
}

// ---- finding a courier ----------------------------------------------------------------------

async function pickupOf(order: DocumentSnapshot): Promise<{ lat: number; lng: number } | undefined> {
  const pickup = order.get("pickup") as { lat: number; lng: number } | undefined;
  if (pickup) return pickup;
  const restaurant = await db().collection(COLLECTIONS.restaurants).doc(order.get("restaurantId") as string).get();
  return restaurant.get("location") as { lat: number; lng: number } | undefined;
}

/**
 * Free couriers within `radiusKm` of `center`, nearest first. Those who already let this order
 * go come after everyone else, and only in a scheduled round (`retrySkipped`), not straight
 * after they said no: the only courier around is asked again, not dropped for good.
 */
async function candidates(center: { lat: number; lng: number }, radiusKm: number, skipped: string[], retrySkipped: boolean): Promise<string[]> {
  const point: [number, number] = [center.lat, center.lng];
  const snapshots = await Promise.all(
    geohashQueryBounds(point, radiusKm * 1000).map(([start, end]) => shapedQuery("availableCouriersByGeohash", couriers(), true).startAt(start).endAt(end).get()),
  );
  const found = new Map<string, number>();
  for (const doc of snapshots.flatMap((s) => s.docs)) {
    const location = doc.get("location") as { lat: number; lng: number };
    const distance = distanceBetween([location.lat, location.lng], point);
    if (distance <= radiusKm && !doc.get("offer") && !doc.get("activeOrderId")) found.set(doc.id, distance);
  }
  const nearest = [...found.entries()].sort((a, b) => a[1] - b[1]).map(([uid]) => uid);
  const fresh = nearest.filter((uid) => !skipped.includes(uid));
  return retrySkipped ? [...fresh, ...nearest.filter((uid) => skipped.includes(uid))] : fresh;
}

/** Offers the order to the nearest free courier; true when an offer is out (or not needed). */
async function offerToNearestCourier(orderId: string, retrySkipped: boolean): Promise<boolean> {
  const order = await readOrder(orderId);
  if (!order || !needsCourier(order)) return true;
  if (offerOf(order)) return true;
  const pickup = await pickupOf(order);
  if (!pickup) {
    // Retrying cannot help; a person has to look at the order.
    await order.ref.update({ attention: attentionFlag("no-pickup-location") });
    logAttentionFlagged(orderId, "no-pickup-location");
    log.error("dispatch.no-pickup-location", new Error(`Order ${orderId} has no pickup location.`), { orderId });
    return true;
  }
  const radius = courierSearchRadiusKm.value() * (order.get("dispatch.escalated") ? 2 : 1);
  const skip = (order.get("dispatch.skipped") as string[] | undefined) ?? [];
  for (const uid of (await candidates(pickup, radius, skip, retrySkipped)).slice(0, CANDIDATES_PER_SEARCH)) {
    const offer = await claim(orderId, uid);
    if (offer === "moot") return true;
    if (offer) {
      // Its expiry is scheduled from the offer's own event (scheduleOfferExpiry), not here.
      log.info("dispatch.offered", { orderId, offer: offer.number });
      return true;
    }
  }
  log.info("dispatch.nobody-free", { orderId, radiusKm: radius });
  return false;
}

/**
 * Claims courier `uid` for the order, both documents in one transaction, with the offer's event:
 * the offer's expiry is scheduled from that event, so whichever step made the offer (an
 * acceptance, a decline, a lapse, a search round), the expiry survives its failing after the
 * commit.
 */
async function claim(orderId: string, uid: string): Promise<OpenOffer | "moot" | undefined> {
  const { FieldValue, Timestamp } = firestoreValues();
  return db().runTransaction(async (tx) => {
    const [order, courier] = await Promise.all([tx.get(orders().doc(orderId)), tx.get(couriers().doc(uid))]);
    if (!needsCourier(order) || offerOf(order)) return "moot";
    if (!courier.get("available") || courier.get("offer") || courier.get("activeOrderId")) return undefined;
    const number = ((order.get("dispatch.offers") as number | undefined) ?? 0) + 1;
    const expiresAt = Timestamp.fromMillis(Date.now() + courierOfferSeconds.value() * 1000);
    const summary = { orderId, restaurantId: order.get("restaurantId") as string, restaurantName: (order.get("restaurantName") as string | undefined) ?? null, pickup: order.get("pickup") ?? null, dropoff: order.get("dropoff") ?? null, expiresAt };
    tx.update(order.ref, {
      "dispatch.status": "offered",
      "dispatch.offer": { courierUid: uid, number, expiresAt },
      "dispatch.offers": number,
      "dispatch.offeredTo": FieldValue.arrayUnion(uid),
      "dispatch.dueAt": expiresAt,
      updatedAt: FieldValue.serverTimestamp(),
    });
    tx.update(courier.ref, { offer: summary, updatedAt: FieldValue.serverTimestamp() });
    writeOrderEvent(tx, orderRefOf(order), COURIER_OFFERED, { version: (order.get("version") as number | undefined) ?? 1, courierUid: uid });
    return { courierUid: uid, number };
  });
}

/**
 * Searches now, and, while nobody is free, schedules the next search in SEARCH_INTERVAL_SECONDS.
 * The order records when that search is due (`dispatch.dueAt`); the task is named after that
 * time, so each round has a name of its own (Cloud Tasks never takes a name twice), a round
 * already pending is not scheduled again, and a round whose task was lost shows as overdue.
 */
async function searchNow(orderId: string, retrySkipped = false): Promise<void> {
  if (await offerToNearestCourier(orderId, retrySkipped)) return;
  const { FieldValue, Timestamp } = firestoreValues();
  const dueAt = await db().runTransaction(async (tx) => {
    const order = await tx.get(orders().doc(orderId));
    if (!order.exists || !needsCourier(order) || offerOf(order)) return undefined;
    const pending = (order.get("dispatch.dueAt") as { toMillis(): number } | null | undefined)?.toMillis() ?? 0;
    // A round already pending keeps its time; its task is enqueued again below, under its own
    // name, in case this is the retry of a step whose enqueue failed after the commit.
    if (pending > Date.now()) return pending;
    const next = Date.now() + SEARCH_INTERVAL_SECONDS * 1000;
    tx.update(order.ref, { "dispatch.status": "searching", "dispatch.dueAt": Timestamp.fromMillis(next), "dispatch.lastSearchAt": FieldValue.serverTimestamp() });
    return next;
  });
  if (dueAt === undefined) return;
  await enqueueTask(TASK_QUEUES.searchCourier, { orderId }, { id: `search-${orderId}-${dueAt}`, scheduleDelaySeconds: secondsUntil(dueAt) });
}

const secondsUntil = (epochMs: number) => Math.max(0, Math.ceil((epochMs - Date.now()) / 1000));

/**
 * Schedules the expiry of the order's open offer (`offer-<orderId>-<n>`, at its `expiresAt`).
 * Driven by the offer's event and named after the offer, so a redelivery, or a retry after a
 * failed enqueue, schedules it once; an offer already answered needs none.
 */
async function scheduleOfferExpiry(orderId: string): Promise<void> {
  const order = await orders().doc(orderId).get();
  const offer = offerOf(order);
  if (!offer) return;
  const expiresAt = order.get("dispatch.offer.expiresAt") as { toMillis(): number } | undefined;
  const delay = expiresAt ? secondsUntil(expiresAt.toMillis()) : courierOfferSeconds.value();
  const data = { orderId, courierUid: offer.courierUid, number: offer.number };
  await enqueueTask(TASK_QUEUES.expireCourierOffer, data, { id: `offer-${orderId}-${offer.number}`, scheduleDelaySeconds: delay });
}

/**
 * Starts, or picks up again, the dispatch of an order that needs a courier: the escalation
 * clock (its time kept on the order, its task once per order), then a search. Every step is safe
 * to repeat, so a redelivered event or the stall sweep re-drives a start that failed half-way.
 */
export async function driveDispatch(orderId: string): Promise<void> {
  const { FieldValue, Timestamp } = firestoreValues();
  const started = await db().runTransaction(async (tx) => {
    const order = await tx.get(orders().doc(orderId));
    if (!order.exists || !needsCourier(order)) return false;
    if (!order.get("dispatch.startedAt")) {
      tx.update(order.ref, {
        "dispatch.startedAt": FieldValue.serverTimestamp(),
        "dispatch.status": "searching",
        "dispatch.escalateAt": Timestamp.fromMillis(Date.now() + courierSearchMinutes.value() * 60_000),
      });
    }
    return true;
  });
  if (!started) return;
  await enqueueTask(TASK_QUEUES.escalateDispatch, { orderId, level: 1 }, { id: `escalate-${orderId}-1`, scheduleDelaySeconds: courierSearchMinutes.value() * 60 });
  await faultPoint("dispatch.after-start");
  await searchNow(orderId);
}

/**
 * Ends the order's delivery (delivered or given up): `closed`, and its contact data gone, so the
 * courier no longer reads it (firestore.rules) and nothing of the customer stays with it.
 * Safe to repeat; a delivery never reopens.
 */
export async function closeDelivery(orderId: string): Promise<void> {
  const { FieldValue } = firestoreValues();
  await db().runTransaction(async (tx) => {
    const delivery = await tx.get(deliveries().doc(orderId));
    if (!delivery.exists || delivery.get("status") === "closed") return;
    const strip = Object.fromEntries(DELIVERY_CONTACT_FIELDS.map((field) => [field, FieldValue.delete()]));
    tx.update(delivery.ref, { ...strip, status: "closed", closedAt: FieldValue.serverTimestamp() });
  });
}

/**
 * A delivered or abandoned order frees its courier (and any courier holding its offer), drops
 * its own offer, so the offer's expiry finds nothing left to withdraw, and its live position.
 */
async function releaseCouriers(order: DocumentSnapshot): Promise<void> {
  const { FieldValue } = firestoreValues();
  const offered = offerOf(order)?.courierUid;
  if (offered) {
    await db().runTransaction(async (tx) => {
      const [current, courier] = await Promise.all([tx.get(order.ref), tx.get(couriers().doc(offered))]);
      if (decideOfferEnd(offerOf(current), offered, undefined, "withdrawn", "order").ok) endOffer(tx, current, courier, "withdrawn");
    });
  } else if (order.get("dispatch.dueAt") || order.get("dispatch.escalateAt")) {
    await order.ref.update({ "dispatch.dueAt": null, "dispatch.escalateAt": null });
  }
  const assigned = order.get("courierUid") as string | undefined;
  if (!assigned) return;
  await closeDelivery(order.id);
  // Already gone when the courier delivered; an order that ended otherwise loses it here.
  await endTracking(order.id);
  await db().runTransaction(async (tx) => {
    const courier = await tx.get(couriers().doc(assigned));
    if (courier.get("activeOrderId") === order.id) tx.update(courier.ref, { activeOrderId: null, updatedAt: FieldValue.serverTimestamp() });
  });
}

// ---- reacting to the order ------------------------------------------------------------------

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    if (event.type === COURIER_OFFERED) return scheduleOfferExpiry(event.orderId);
    if (!event.to || !(AWAITING_COURIER.includes(event.to) || ENDED.includes(event.to))) return;
    const order = await readOrder(event.orderId);
    if (!order) return;
    await runOnceThen("dispatch-onOrderEvent", event.eventId, async () => {
      if (needsCourier(order)) {
        await driveDispatch(order.id);
      } else if (ENDED.includes(order.get("status") as OrderState)) {
        await releaseCouriers(order);
      }
    });
  },
};

const SearchCourier = z.object({ orderId: z.string().min(1) });

export const searchCourier: TaskImpl<z.infer<typeof SearchCourier>> = {
  schema: SearchCourier,
  // A scheduled round also asks, last, the couriers who let this order go before.
  run: ({ orderId }) => searchNow(orderId, true),
};

const ExpireOffer = z.object({ orderId: z.string().min(1), courierUid: z.string().min(1), number: z.number().int().min(1) });

/**
 * Whether the order shows offer `number` to `courierUid` lapsed and nothing since: a retry of
 * the expiry whose lapse committed but whose search that follows failed still owes that search.
 */
function lapsedAndLeft(order: DocumentSnapshot, courierUid: string, number: number): boolean {
  const last = order.get("dispatch.lastOffer") as (OpenOffer & { outcome?: OfferEnd }) | null | undefined;
  return needsCourier(order) && !offerOf(order) && last?.outcome === "lapsed" && last.courierUid === courierUid && last.number === number;
}

export const expireCourierOffer: TaskImpl<z.infer<typeof ExpireOffer>> = {
  schema: ExpireOffer,
  isMoot: async ({ orderId, courierUid, number }) => {
    const order = await orders().doc(orderId).get();
    const offer = offerOf(order);
    if (offer) return offer.courierUid !== courierUid || offer.number !== number;
    return !order.exists || !lapsedAndLeft(order, courierUid, number);
  },
  async run({ orderId, courierUid, number }) {
    const expired = await db().runTransaction(async (tx) => {
      const [order, courier] = await Promise.all([tx.get(orders().doc(orderId)), tx.get(couriers().doc(courierUid))]);
      if (!order.exists || !decideOfferEnd(offerOf(order), courierUid, number, "lapsed", "timeout").ok) return false;
      endOffer(tx, order, courier, "lapsed");
      return true;
    });
    if (expired) log.info("dispatch.offer-unanswered", { orderId, offer: number });
    else if (!lapsedAndLeft(await orders().doc(orderId).get(), courierUid, number)) return;
    await searchNow(orderId);
  },
};

const Escalate = z.object({ orderId: z.string().min(1), level: z.union([z.literal(1), z.literal(2)]) });

export const escalateDispatch: TaskImpl<z.infer<typeof Escalate>> = {
  schema: Escalate,
  isMoot: async ({ orderId }) => {
    const order = await readOrder(orderId);
    return !order || !needsCourier(order);
  },
  async run({ orderId, level }) {
    const order = await readOrder(orderId);
    if (!order || !needsCourier(order)) return;
    if (level === 1) {
      await order.ref.update({ "dispatch.escalated": true, "dispatch.escalateAt": null, attention: attentionFlag("no-courier") });
      logAttentionFlagged(orderId, "no-courier");
      log.error("dispatch.escalated", new Error("No courier took the order in time."), { orderId });
      await enqueueTask(TASK_QUEUES.escalateDispatch, { orderId, level: 2 }, { id: `escalate-${orderId}-2`, scheduleDelaySeconds: courierSearchMinutes.value() * 60 });
      if (!offerOf(order)) await searchNow(orderId, true);
      return;
    }
    // Nobody for twice the allowed time: give up on the delivery; the cancellation refunds.
    await cancelBySystem(orderId, SYSTEM.dispatch, "no-courier", { stillApplies: needsCourier });
  },
};
