/**
 * Applying an order transition: in one Firestore transaction, check the move against the state
 * table and the actor's tie to the order, change the status, bump the order's version, append
 * the history entry (who, when, from, to, why, correlation id) and write the outbox record that
 * will announce it. Two actors racing (a customer cancelling while the restaurant accepts)
 * cannot both win: the second finds the state already moved and is refused.
 *
 * Everything downstream of an order (events, tasks, log lines) carries the correlation id and
 * the trace of the checkout that created it; the id of the request that made a move is kept
 * beside it.
 */
import type { DocumentSnapshot, Transaction } from "firebase-admin/firestore";
import type { Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { DomainError, failedPrecondition, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { acceptanceWindowMinutes } from "../shared/params";
import { restaurantIdsOf } from "../shared/roles";
import { orderTraceparent } from "../shared/tracing";
import { decideTransition, orderEventType, type ActorKind, type OrderState } from "./order-state";
import { stageTiming, type StageTiming } from "./stage-timing";

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

/** A person calling a callable, as the state table knows them: by role, with their restaurants. */
export function actorOf(caller: Caller): Actor {
  const kind = caller.role === "anonymous" ? "customer" : caller.role;
  return { kind, id: caller.uid!, restaurantIds: restaurantIdsOf(caller.claims) };
}

export const SYSTEM = {
  payments: { kind: "system", id: "payments" },
  timeouts: { kind: "system", id: "timeouts" },
  dispatch: { kind: "system", id: "dispatch" },
} as const satisfies Record<string, Actor>;

export interface TransitionResult {
  orderId: string;
  from: OrderState;
  to: OrderState;
  eventId: string;
}

/** The correlation id an order's events travel under: its checkout's, else the current one. */
export function orderCorrelationId(order: DocumentSnapshot): string {
  return (order.get("correlationId") as string | undefined) ?? correlationId();
}

/** What an outbox record names of its order. */
export interface OrderRef {
  id: string;
  restaurantId: string;
  customerUid: string;
  correlationId: string;
  /** The order's trace (its checkout's span), which its events continue. */
  traceparent?: string | null;
}

export function orderRefOf(order: DocumentSnapshot): OrderRef {
  return {
    id: order.id,
    restaurantId: order.get("restaurantId") as string,
    customerUid: order.get("customerUid") as string,
    correlationId: orderCorrelationId(order),
    traceparent: order.get("traceparent") as string | undefined,
  };
}

/**
 * Writes an outbox record for `order` in `tx`; its id is the event id subscribers dedupe on.
 * Call after all of the transaction's reads.
 */
export function writeOrderEvent(
  tx: Transaction,
  order: OrderRef,
  type: string,
  fields: { version: number; from?: OrderState | null; to?: OrderState | null; courierUid?: string; timing?: StageTiming },
): string {
  const { FieldValue } = firestoreValues();
  const ref = db().collection(COLLECTIONS.outbox).doc();
  tx.create(ref, {
    eventId: ref.id,
    type,
    orderId: order.id,
    from: fields.from ?? null,
    to: fields.to ?? null,
    version: fields.version,
    restaurantId: order.restaurantId,
    customerUid: order.customerUid,
    ...(fields.courierUid ? { courierUid: fields.courierUid } : {}),
    ...fields.timing,
    correlationId: order.correlationId,
    // The publishing trigger continues the order's trace (see shared/tracing.ts).
    traceparent: orderTraceparent(order.traceparent, type.replace(/^orders\.v\d+\./, ""), { orderId: order.id }) ?? null,
    createdAt: FieldValue.serverTimestamp(),
    // Null until published: the sweep looks for records the trigger failed to publish.
    publishedAt: null,
  });
  return ref.id;
}

/**
 * Checks a move of the order read as `order` (in `tx`) and returns the fields to write with it;
 * writes the outbox record. Callers merge the fields into their own update of the order, so a
 * payment event or a timeout changes status and its own fields in one write.
 */
export function planTransition(tx: Transaction, order: DocumentSnapshot, to: OrderState, actor: Actor, why: string) {
  if (!order.exists) throw notFound("Order", "order-not-found", "orderId");
  const data = order.data() as OrderTies & { status: OrderState; version?: number };
  if (!isPartyTo(actor, data)) throw permissionDenied("This is not your order.", "not-your-order");
  const decision = decideTransition(data.status, to, actor.kind);
  if (!decision.ok) throw new DomainError("failed-precondition", decision.message, { reason: decision.reason });

  const { FieldValue, Timestamp } = firestoreValues();
  const version = (data.version ?? 1) + 1;
  const orderCid = orderCorrelationId(order);
  const entry = {
    at: Timestamp.now(),
    by: actor.id,
    byKind: actor.kind,
    from: data.status,
    to,
    why,
    correlationId: orderCid,
    ...(correlationId() !== orderCid ? { requestCorrelationId: correlationId() } : {}),
  };
  const timing = stageTiming({ status: data.status, createdAt: order.get("createdAt"), history: order.get("history") }, to, Date.now());
  const eventId = writeOrderEvent(tx, orderRefOf(order), orderEventType(to), { version, from: data.status, to, timing });
  return {
    result: { orderId: order.id, from: data.status, to, eventId } satisfies TransitionResult,
    fields: {
      status: to,
      version,
      updatedAt: FieldValue.serverTimestamp(),
      history: FieldValue.arrayUnion(entry),
      // Whether the restaurant ever took the order on decides what a later cancellation gives back.
      ...(to === "accepted" ? { acceptedAt: FieldValue.serverTimestamp() } : {}),
      // The restaurant's deadline, kept on the order so a lost deadline task can be found.
      ...(to === "placed" ? { acceptBy: Timestamp.fromMillis(Date.now() + acceptanceWindowMinutes.value() * 60_000) } : {}),
    } as Record<string, unknown>,
  };
}

/**
 * Moves an order on its own. `extra` adds fields to the same write (a reason, a courier);
 * `check` may refuse the move after reading the order, before anything is written; `alsoWrite`
 * adds writes to the same transaction.
 */
export async function transitionOrder(
  orderId: string,
  to: OrderState,
  actor: Actor,
  why: string,
  options: {
    extra?: Record<string, unknown>;
    check?: (order: DocumentSnapshot) => void;
    /** Further writes that belong to the move (an audit entry), in its transaction. */
    alsoWrite?: (tx: Transaction, result: TransitionResult) => void;
  } = {},
): Promise<TransitionResult> {
  const ref = db().collection(COLLECTIONS.orders).doc(orderId);
  const result = await db().runTransaction(async (tx) => {
    const order = await tx.get(ref);
    if (order.exists) options.check?.(order);
    const planned = planTransition(tx, order, to, actor, why);
    tx.update(ref, { ...planned.fields, ...options.extra });
    options.alsoWrite?.(tx, planned.result);
    return planned.result;
  });
  log.info(OPS_EVENTS.orderTransitioned.name, { orderId, from: result.from, to, by: actor.kind, eventId: result.eventId });
  return result;
}

/**
 * The system gives an order up (a timeout, a payment that cannot be taken, no courier): it is
 * cancelled with the reason recorded, but only while `stillApplies` holds inside the
 * transaction. An order that has moved on, can no longer be cancelled or is gone is left alone.
 * Answers whether it was cancelled.
 */
export async function cancelBySystem(
  orderId: string,
  actor: Actor,
  reason: string,
  options: { stillApplies?: (order: DocumentSnapshot) => boolean; extra?: Record<string, unknown> } = {},
): Promise<boolean> {
  try {
    await transitionOrder(orderId, "cancelled", actor, reason, {
      extra: { ...options.extra, cancellation: { by: "system", reason } },
      check: (order) => {
        if (options.stillApplies && !options.stillApplies(order)) throw failedPrecondition("The order has moved on.", "moot");
      },
    });
    return true;
  } catch (error) {
    if (!(error instanceof DomainError) || (error.code !== "failed-precondition" && error.code !== "not-found")) throw error;
    log.info("order.system-cancel-moot", { orderId, reason, refused: error.extra.reason });
    return false;
  }
}

/** Reads an order for a handler that reacts to its current state; undefined when it is gone. */
export async function readOrder(orderId: string): Promise<DocumentSnapshot | undefined> {
  const snapshot = await db().collection(COLLECTIONS.orders).doc(orderId).get();
  return snapshot.exists ? snapshot : undefined;
}
