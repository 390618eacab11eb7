/**
 * The stall sweep: finds orders whose next step is long overdue (follow-ups.ts says which and
 * why) and re-drives each with the very step that was lost: the payment window closed, the
 * acceptance deadline enforced, the courier search picked up, the payment settled. Each step
 * checks the order's state itself, so sweeping an order that moved on meanwhile does nothing.
 */
import type { DocumentSnapshot, Query } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { inOrderTrace } from "../shared/tracing";
import { FOLLOW_UP_GRACE_MS, stallOf, type FollowUpFields, type Stall } from "./follow-ups";
import { shapedQuery } from "../shared/queries";

/** Orders read per query and sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

/**
 * Where stalled orders can be: each query is bounded (its field is cleared once the step is done)
 * and reads the most recently overdue first. Orders flagged for a person stay where they are and
 * are skipped (follow-ups.ts); read oldest first, a batch of them would hide every order stalled
 * after them.
 */
function suspects(cutoff: number): Query[] {
  const { Timestamp } = firestoreValues();
  const before = Timestamp.fromMillis(cutoff);
  return [
    shapedQuery("ordersOverduePayBeforeNewestFirst", db(), "awaiting_payment", before),
    shapedQuery("ordersOverdueAcceptByNewestFirst", db(), "placed", before),
    shapedQuery("ordersDispatchDueNewestFirst", db(), before),
    shapedQuery("ordersDispatchEscalationDueNewestFirst", db(), before),
    shapedQuery("ordersPaymentStalledNewestFirst", db(), "authorized", before),
    shapedQuery("ordersInStateWithPaymentState", db(), "cancelled", "captured"),
  ].map((query) => query.limit(SWEEP_BATCH));
}

/**
 * How long one settlement re-drive stands for an order. A settlement still retrying (a provider
 * down for a while) must not gain another retry chain at every sweep that finds it, and
 * concurrent settlement attempts on one order only contend for its document.
 */
export const SETTLE_REDRIVE_WINDOW_MS = 5 * 60_000;

/**
 * Re-drives the step `stall` says was lost; answers false when a re-drive of it is already under
 * way. The re-drive joins the order's trace, so the step it restarts shows under the order.
 */
function redrive(order: DocumentSnapshot, stall: Stall, now: number): Promise<boolean> {
  return inOrderTrace(order.get("traceparent"), "redrive", { orderId: order.id, stall }, () => redriveStep(order, stall, now));
}

async function redriveStep(order: DocumentSnapshot, stall: Stall, now: number): Promise<boolean> {
  const orderId = order.id;
  switch (stall) {
    case "payment-window-not-closed":
      await (await import("../checkout/expiry.service.js")).expireUnpaidOrder.run({ orderId }, SWEPT);
      return true;
    case "acceptance-deadline-not-enforced":
      await (await import("./deadlines.service.js")).enforceAcceptanceDeadline.run({ orderId }, SWEPT);
      return true;
    case "dispatch-not-escalated":
      await (await import("../dispatch/dispatch.service.js")).escalateDispatch.run({ orderId, level: 1 }, SWEPT);
      return true;
    case "dispatch-not-driven": {
      const dispatch = await import("../dispatch/dispatch.service.js");
      const offer = order.get("dispatch.offer") as { courierUid: string; number: number } | null | undefined;
      if (offer) await dispatch.expireCourierOffer.run({ orderId, courierUid: offer.courierUid, number: offer.number }, SWEPT);
      else await dispatch.driveDispatch(orderId);
      return true;
    }
    case "capture-not-settled":
    case "release-not-settled": {
      // Named per window: one re-drive per order and window stands for "settle it again now".
      const id = `settle-redrive-${orderId}-${Math.floor(now / SETTLE_REDRIVE_WINDOW_MS)}`;
      return (await enqueueTask(TASK_QUEUES.settlePayment, { orderId }, { id })) === "enqueued";
    }
  }
}

const SWEPT = { taskId: "stall-sweep", attempt: 1, finalAttempt: false };

/** Re-drives one order if it is stalled at `now`; answers the stall it had, if any. */
export async function redriveIfStalled(orderId: string, now = Date.now()): Promise<Stall | null> {
  const order = await db().collection(COLLECTIONS.orders).doc(orderId).get();
  const stall = order.exists ? stallOf(order.data() as FollowUpFields, now) : null;
  if (stall) {
    if (await redrive(order, stall, now)) log.warn("order.stall-redriven", { orderId, stall });
    else log.info("order.stall-redrive-pending", { orderId, stall });
  }
  return stall;
}

/**
 * Re-drives every stalled order found; answers the orders re-driven, per stall (an order whose
 * re-drive is already under way is not among them).
 */
export async function sweepStalledOrders(now = Date.now()): Promise<Partial<Record<Stall, string[]>>> {
  const seen = new Set<string>();
  const redriven: Partial<Record<Stall, string[]>> = {};
  for (const query of suspects(now - FOLLOW_UP_GRACE_MS)) {
    for (const order of (await query.get()).docs) {
      if (seen.has(order.id)) continue;
      seen.add(order.id);
      const stall = stallOf(order.data() as FollowUpFields, now);
      if (!stall) continue;
      try {
        if (!(await redrive(order, stall, now))) {
          log.info("order.stall-redrive-pending", { orderId: order.id, stall });
          continue;
        }
        (redriven[stall] ??= []).push(order.id);
        log.warn("order.stall-redriven", { orderId: order.id, stall });
      } catch (error) {
        // One order's failure must not keep the others waiting; the next sweep tries again.
        log.error("order.stall-redrive-failed", error, { orderId: order.id, stall });
      }
    }
  }
  return redriven;
}
