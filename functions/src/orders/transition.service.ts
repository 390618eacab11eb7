/**
 * Applying an order transition: in one Firestore transaction, check the move against the state
 * table and the actor's tie to the order, change the status, append the history entry (who,
 * when, from, to, why, correlation id) and write the outbox record that will announce it. Two
 * actors racing (a customer cancelling while the restaurant accepts) cannot both win: the
 * second finds the state already moved and is refused.
 */
import { randomUUID } from "node:crypto";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { DomainError, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { decideTransition, orderEventType, type ActorKind, type OrderState } from "./order-state";

export interface Actor {
  kind: ActorKind;
  /** The user, for people; a name such as `payments` or `timeouts` for the system. */
  id: string;
  restaurantIds?: string[];
}

interface OrderTies {
  customerUid: string;
  restaurantId: string;
  courierUid?: string | null;
}

/** Whether `actor` is tied to the order the way its kind requires. */
export function isPartyTo(actor: Actor, order: OrderTies): boolean {
  switch (actor.kind) {
    case "customer":
      return order.customerUid === actor.id;
    case "staff":
      return (actor.restaurantIds ?? []).includes(order.restaurantId);
    case "courier":
      return !!order.courierUid && order.courierUid === actor.id;
    case "admin":
    case "system":
      return true;
  }
}

export interface TransitionResult {
  orderId: string;
  from: OrderState;
  to: OrderState;
  eventId: string;
}

export async function transitionOrder(orderId: string, to: OrderState, actor: Actor, why: string): Promise<TransitionResult> {
  const ref = db().collection(COLLECTIONS.orders).doc(orderId);
  const eventId = randomUUID();
  const result = await db().runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    if (!snapshot.exists) throw notFound("Order", "order-not-found", "orderId");
    const order = snapshot.data() as OrderTies & { status: OrderState };
    if (!isPartyTo(actor, order)) throw permissionDenied("This is not your order.", "not-your-order");
    const decision = decideTransition(order.status, to, actor.kind);
    if (!decision.ok) throw new DomainError("failed-precondition", decision.message, { reason: decision.reason });

    const { FieldValue, Timestamp } = firestoreValues();
    const entry = { at: Timestamp.now(), by: actor.id, byKind: actor.kind, from: order.status, to, why, correlationId: correlationId() };
    tx.update(ref, { status: to, updatedAt: FieldValue.serverTimestamp(), history: FieldValue.arrayUnion(entry) });
    tx.create(db().collection(COLLECTIONS.outbox).doc(eventId), {
      eventId,
      type: orderEventType(to),
      orderId,
      from: order.status,
      to,
      restaurantId: order.restaurantId,
      customerUid: order.customerUid,
      correlationId: correlationId(),
      createdAt: FieldValue.serverTimestamp(),
    });
    return { orderId, from: order.status, to, eventId };
  });
  log.info("order.transitioned", { orderId, from: result.from, to, by: actor.kind, eventId });
  return result;
}
