/**
 * Settling an order's card payment with what the order has become: once the restaurant accepts,
 * the held money is captured; once the order is given up, a hold is released and captured money
 * refunded. The work runs in the `payments-settlePayment` queue, whose retries (exponential
 * backoff, jitter, dead letter after the last attempt) absorb Stripe outages.
 *
 * Each attempt first asks Stripe where the payment stands and does only what is left, so an
 * attempt that failed after Stripe acted (a lost response) never captures or refunds twice;
 * Stripe's idempotency keys guard the same from the other side.
 */
import type { DocumentSnapshot } from "firebase-admin/firestore";
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { DomainError } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { runOnceThen } from "../shared/idempotency";
import { faultPoint } from "../shared/faults";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import type { SubscriberImpl } from "../shared/subscriber";
import type { TaskImpl } from "../shared/task-handler";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { attentionFlag, logAttentionFlagged, type AttentionReason } from "../orders/attention";
import { OrderEventMessage } from "../orders/order-event";
import { ACCEPTED_STATES, GIVEN_UP_STATES, type OrderState } from "../orders/order-state";
import { cancelBySystem, planTransition, readOrder, SYSTEM } from "../orders/transition.service";
import { settleCashOrder } from "./cash-settlement.service";
import { gatewayFor } from "./gateway";
import type { PaymentState } from "./payment-events";

type Goal = "capture" | "return" | "none";

const ATTENTION_REASON: AttentionReason = "payment-settlement-failed";

function goalOf(status: OrderState): Goal {
  if (ACCEPTED_STATES.includes(status)) return "capture";
  if (GIVEN_UP_STATES.includes(status)) return "return";
  return "none";
}

/** Whether the recorded payment already matches what the order needs. */
function isSettled(order: DocumentSnapshot): boolean {
  const status = order.get("status") as OrderState;
  const payment = order.get("payment.status") as PaymentState;
  switch (goalOf(status)) {
    case "none":
      return true;
    case "capture":
      return payment === "captured" || payment === "partially_refunded" || payment === "refunded";
    case "return":
      // A refunded cancellation still has to become `refunded` itself.
      return payment === "canceled" || (payment === "refunded" && status !== "cancelled" && status !== "rejected");
  }
}

const isCard = (order: DocumentSnapshot) => order.get("paymentMethod") === "card";

/** Subscriber: schedules a settlement whenever an order's payment lags behind its state; cash orders settle at once (cash-settlement.service.ts). */
export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    // Only status changes can change what the payment should be.
    if (!event.to || goalOf(event.to) === "none") return;
    const order = await readOrder(event.orderId);
    if (order?.get("paymentMethod") === "cash") return settleCashOrder(order.id, event.to);
    if (!order || !isCard(order) || isSettled(order)) return;
    const version = (order.get("version") as number | undefined) ?? 1;
    await runOnceThen("payments-onOrderEvent", event.eventId, async () => {
      await enqueueTask(TASK_QUEUES.settlePayment, { orderId: order.id }, { id: `settle-${order.id}-v${version}` });
    });
  },
};

const SettlePayment = z.object({ orderId: z.string().min(1) });
type SettlePayment = z.infer<typeof SettlePayment>;

export const settlePayment: TaskImpl<SettlePayment> = {
  schema: SettlePayment,
  async run({ orderId }, { taskId }) {
    await runOnceThen(TASK_QUEUES.settlePayment, taskId, () => settle(orderId));
  },
  async onGiveUp({ orderId }, deadLetterId, error) {
    const { FieldValue } = firestoreValues();
    // What Stripe or our code said stays in the dead letter and the log below, not on the order.
    await db().collection(COLLECTIONS.orders).doc(orderId).update({ attention: attentionFlag(ATTENTION_REASON, { deadLetterId }) });
    logAttentionFlagged(orderId, ATTENTION_REASON);
    // A refund asked for and never confirmed: its audit entry says so.
    await db().runTransaction(async (tx) => {
      const refund = await tx.get(refundEntry(orderId));
      if (refund.exists && refund.get("outcome") === "requested") tx.update(refund.ref, { outcome: "failed", deadLetterId, failedAt: FieldValue.serverTimestamp() });
    });
    log.error(OPS_EVENTS.paymentSettlementAbandoned.name, error, { orderId, deadLetterId });
  },
};

async function settle(orderId: string): Promise<void> {
  const order = await readOrder(orderId);
  if (!order || !isCard(order) || isSettled(order)) return;
  const status = order.get("status") as OrderState;
  const intentId = order.get("payment.intentId") as string | null;
  const amount = order.get("total.amount") as number;
  const gateway = await gatewayFor("card");
  const standing = await gateway.inspect(intentId);

  if (goalOf(status) === "capture") {
    if (standing.status === "authorized") {
      try {
        await gateway.capture(orderId, intentId, amount);
      } catch (error) {
        if (error instanceof DomainError && error.code === "failed-precondition") return failForGood(orderId, "payment-capture-failed");
        throw error;
      }
    } else if (standing.status !== "captured") {
      // Nothing to capture (the hold lapsed or was canceled): the order cannot be paid for.
      return failForGood(orderId, "payment-capture-failed");
    }
    return record(orderId, "captured", { amountCaptured: amount });
  }

  if (standing.status === "authorized" || standing.status === "requires_action") {
    await gateway.cancel(orderId, intentId);
    return record(orderId, "canceled", {});
  }
  if (standing.status === "captured") {
    const left = standing.amountCaptured - standing.amountRefunded;
    if (left > 0) {
      await recordRefundIntent(orderId, intentId, left);
      await gateway.refund(orderId, intentId);
    }
    return record(orderId, "refunded", { amountRefunded: standing.amountCaptured });
  }
  return record(orderId, "canceled", {});
}

/**
 * The audit entry of an order's refund (one per order: the refund is always of what is left).
 * A Stripe refund is no Firestore write, so the entry is written `requested` before the call and
 * given its outcome with the payment state (or `failed` when the task gives up): a crash in
 * between leaves a visible record.
 */
const refundEntry = (orderId: string) => db().collection(COLLECTIONS.auditLog).doc(`payment-refund__${orderId}`);

async function recordRefundIntent(orderId: string, intentId: string | null, amount: number): Promise<void> {
  const { FieldValue } = firestoreValues();
  await refundEntry(orderId).set(
    { action: "payment.refund", actorUid: "system:payments", orderId, intentId, amount, outcome: "requested", attempts: FieldValue.increment(1), correlationId: correlationId(), at: FieldValue.serverTimestamp() },
    { merge: true },
  );
}

/**
 * Writes the settled payment state, clears a settlement flag, and closes a cancelled or rejected
 * order whose money went back as `refunded`.
 */
async function record(orderId: string, to: PaymentState, amounts: { amountCaptured?: number; amountRefunded?: number }): Promise<void> {
  await faultPoint("settlement.after-provider");
  const ref = db().collection(COLLECTIONS.orders).doc(orderId);
  const { FieldValue } = firestoreValues();
  const moved = await db().runTransaction(async (tx) => {
    const order = await tx.get(ref);
    const refund = to === "refunded" ? await tx.get(refundEntry(orderId)) : undefined;
    const status = order.get("status") as OrderState;
    let update: Record<string, unknown> = { "payment.status": to, "payment.settledAt": FieldValue.serverTimestamp(), updatedAt: FieldValue.serverTimestamp() };
    if (amounts.amountCaptured !== undefined) update["payment.amountCaptured"] = amounts.amountCaptured;
    if (amounts.amountRefunded !== undefined) update["payment.amountRefunded"] = amounts.amountRefunded;
    if (order.get("attention.reason") === ATTENTION_REASON) update.attention = FieldValue.delete();
    const closing = to === "refunded" && (status === "cancelled" || status === "rejected");
    if (closing) update = { ...update, ...planTransition(tx, order, "refunded", SYSTEM.payments, "payment-refunded").fields };
    tx.update(ref, update);
    if (refund?.exists && refund.get("outcome") !== "refunded") tx.update(refund.ref, { outcome: "refunded", amountRefunded: amounts.amountRefunded ?? null, settledAt: FieldValue.serverTimestamp() });
    return closing;
  });
  log.info(OPS_EVENTS.paymentSettled.name, { orderId, payment: to, orderRefunded: moved });
}

/** The payment cannot be taken: the order is cancelled, and its events compensate the rest. */
async function failForGood(orderId: string, reason: string): Promise<void> {
  log.warn(OPS_EVENTS.paymentCaptureImpossible.name, { orderId, reason });
  await cancelBySystem(orderId, SYSTEM.payments, reason, { extra: { "payment.status": "failed" } });
}
