/**
 * Cash at the door. The assigned courier records what they collected
 * (`payments-recordCashCollection`), which settles the order's cash payment (`pending_cash` ->
 * `collected`, cash-state.ts); an order that ends undelivered has nothing owed (`canceled`).
 *
 * Each courier's cash is reconciled per day (`cashReconciliations/{courierUid}_{day}_{currency}`,
 * the day of delivery in CASH_DAY_TIME_ZONE): the delivered event adds the order's total as
 * expected, the courier's record adds what was collected, in whichever order they come. A day
 * where any order's collection differs from its total is `flagged`, with the shortfall and the
 * excess, for an operator (listed by the `flaggedCashReconciliationsNewestFirst` query).
 */
import type { DocumentSnapshot, Transaction } from "firebase-admin/firestore";
import { RecordCashCollectionRequest, type RecordCashCollectionResponse } from "../contract/delivery";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, failedPrecondition, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { cashDayTimeZone } from "../shared/params";
import { GIVEN_UP_STATES, type OrderState } from "../orders/order-state";
import { cashDay, reconciliationId, totalsOf, type CashEntry } from "./cash-reconciliation";
import { decideCashMove } from "./cash-state";

/** Order states in which the courier is at the door or has been: cash can be recorded. */
const CASH_COLLECTABLE: OrderState[] = ["picked_up", "delivered"];

const orders = () => db().collection(COLLECTIONS.orders);

/** When the order was delivered (its history entry), or undefined if it never was. */
function deliveredAtOf(order: DocumentSnapshot): Date | undefined {
  const history = (order.get("history") as { to?: string; at?: { toDate(): Date } }[] | undefined) ?? [];
  return history.find((entry) => entry.to === "delivered")?.at?.toDate();
}

interface CashDayKey {
  courierUid: string;
  day: string;
  currency: string;
}

/** The courier's day the delivered order counts in; undefined before delivery. */
function cashDayOf(order: DocumentSnapshot): CashDayKey | undefined {
  const at = deliveredAtOf(order);
  const courierUid = order.get("courierUid") as string | undefined;
  if (!at || !courierUid) return undefined;
  return { courierUid, day: cashDay(at, cashDayTimeZone.value()), currency: order.get("total.currency") as string };
}

const cashDayRef = (key: CashDayKey) => db().collection(COLLECTIONS.cashReconciliations).doc(reconciliationId(key.courierUid, key.day, key.currency));

/**
 * Writes the order's entry into its courier's day (`day`, read in `tx`) and the totals
 * recomputed from every entry. Answers whether this write flagged a day that was not flagged.
 */
function planReconcile(tx: Transaction, key: CashDayKey, day: DocumentSnapshot, order: DocumentSnapshot, collected: number | null): boolean {
  const { FieldValue } = firestoreValues();
  const entries = { ...((day.get("orders") as Record<string, CashEntry> | undefined) ?? {}), [order.id]: { expected: order.get("total.amount") as number, collected } };
  const totals = totalsOf(entries);
  const newlyFlagged = totals.flagged && day.get("flagged") !== true;
  tx.set(day.ref, {
    ...key,
    orders: entries,
    ...totals,
    // The whole document is rewritten: keep when the day was first flagged.
    ...(totals.flagged ? { flaggedAt: newlyFlagged ? FieldValue.serverTimestamp() : (day.get("flaggedAt") ?? null) } : {}),
    updatedAt: FieldValue.serverTimestamp(),
  });
  return newlyFlagged;
}

function logFlagged(dayId: string | undefined, newlyFlagged: boolean): void {
  if (dayId && newlyFlagged) log.warn(OPS_EVENTS.cashReconciliationFlagged.name, { reconciliationId: dayId });
}

export const recordCashCollection: CallableImpl<RecordCashCollectionRequest, RecordCashCollectionResponse> = {
  input: RecordCashCollectionRequest,
  async run({ orderId, collected }, caller) {
    const { FieldValue } = firestoreValues();
    const outcome = await db().runTransaction(async (tx) => {
      const order = await tx.get(orders().doc(orderId));
      if (!order.exists) throw notFound("Order", "order-not-found", "orderId");
      if (order.get("courierUid") !== caller.uid) throw permissionDenied("This delivery is not yours.", "not-your-order");
      if (order.get("paymentMethod") !== "cash") {
        throw new DomainError("failed-precondition", "This order was paid by card: there is no cash to record.", { reason: "not-a-cash-order", fields: [{ path: "orderId", message: "Not a cash order." }] });
      }
      const due = order.get("total") as { amount: number; currency: string };
      if (collected.currency !== due.currency) {
        const message = `This order is paid in ${due.currency}.`;
        throw new DomainError("invalid-argument", message, { reason: "currency-mismatch", fields: [{ path: "collected.currency", message }] });
      }
      const answer = (amount: number): RecordCashCollectionResponse => ({ orderId, paymentStatus: "collected", due: due.amount, collected: amount, difference: amount - due.amount });
      const payment = order.get("payment.status") as string | undefined;
      if (payment === "collected") {
        // The same record again (a retry after a lost answer) changes nothing; another amount is refused.
        if (order.get("payment.amountCollected") === collected.amount) return { response: answer(collected.amount), dayId: undefined, newlyFlagged: false };
        const message = `The cash of this order was already recorded as ${order.get("payment.amountCollected") as number}.`;
        throw new DomainError("failed-precondition", message, { reason: "cash-already-recorded", fields: [{ path: "collected.amount", message }] });
      }
      if (!CASH_COLLECTABLE.includes(order.get("status") as OrderState)) throw failedPrecondition("Cash is recorded at the door: once the order is picked up or delivered.", "cash-not-collectable");
      const decision = decideCashMove(payment, "collected", "courier");
      if (!decision.ok) throw failedPrecondition(`A cash payment that is ${payment ?? "missing"} cannot be collected.`, decision.reason);
      const key = cashDayOf(order);
      const day = key ? await tx.get(cashDayRef(key)) : undefined;
      tx.update(order.ref, {
        "payment.status": "collected",
        "payment.amountCollected": collected.amount,
        "payment.collectionDifference": collected.amount - due.amount,
        "payment.settledAt": FieldValue.serverTimestamp(),
        updatedAt: FieldValue.serverTimestamp(),
      });
      // Before delivery the day is not known yet: the delivered event adds the entry with this amount.
      const newlyFlagged = key && day ? planReconcile(tx, key, day, order, collected.amount) : false;
      return { response: answer(collected.amount), dayId: day?.id, newlyFlagged };
    });
    log.info(OPS_EVENTS.paymentSettled.name, { orderId, payment: "collected", difference: outcome.response.difference });
    logFlagged(outcome.dayId, outcome.newlyFlagged);
    return outcome.response;
  },
};

/**
 * A cash order moved to `to` (payments-onOrderEvent): delivered, it counts in its courier's day;
 * ended undelivered, its payment is `canceled`. Both recompute from the order, so a redelivered
 * or late event changes nothing more.
 */
export async function settleCashOrder(orderId: string, to: OrderState): Promise<void> {
  if (to === "delivered") return reconcileDelivered(orderId);
  if (GIVEN_UP_STATES.includes(to)) return cancelCashPayment(orderId);
}

async function reconcileDelivered(orderId: string): Promise<void> {
  const outcome = await db().runTransaction(async (tx) => {
    const order = await tx.get(orders().doc(orderId));
    const key = order.exists ? cashDayOf(order) : undefined;
    if (!key) return undefined;
    const day = await tx.get(cashDayRef(key));
    const collected = order.get("payment.status") === "collected" ? (order.get("payment.amountCollected") as number) : null;
    const entry = day.get(`orders.${order.id}`) as CashEntry | undefined;
    if (entry && entry.collected === collected) return undefined;
    return { dayId: day.id, newlyFlagged: planReconcile(tx, key, day, order, collected) };
  });
  if (outcome) logFlagged(outcome.dayId, outcome.newlyFlagged);
}

async function cancelCashPayment(orderId: string): Promise<void> {
  const { FieldValue } = firestoreValues();
  const canceled = await db().runTransaction(async (tx) => {
    const order = await tx.get(orders().doc(orderId));
    // A delivered order refunded later was still paid at the door: its cash stays due.
    if (!order.exists || deliveredAtOf(order)) return false;
    if (!decideCashMove(order.get("payment.status") as string | undefined, "canceled", "order").ok) return false;
    tx.update(order.ref, { "payment.status": "canceled", "payment.settledAt": FieldValue.serverTimestamp() });
    return true;
  });
  if (canceled) log.info(OPS_EVENTS.paymentSettled.name, { orderId, payment: "canceled" });
}
