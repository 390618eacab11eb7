/**
 * The review queue of orders the fraud rules held: admins list them (oldest first, with the
 * rules that held each) and approve or reject each one. A verdict is an order transition
 * (contract/order-states.ts: held -> awaiting_payment | placed | cancelled), written in one
 * transaction with its `riskDecisions` record and its audit entry. What follows comes from the
 * transition's event, as for any order: an approved card order's payment window, an approved cash
 * order's restaurant, a rejected order's stock and promo use given back.
 */
import {
  ListHeldOrdersRequest,
  ReviewHeldOrderRequest,
  type HeldOrder,
  type ListHeldOrdersResponse,
  type ReviewHeldOrderResponse,
  type RiskRuleCheck,
} from "../contract/risk";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { failedPrecondition, notFound } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { paymentWindowMinutes } from "../shared/params";
import { shapedQuery } from "../shared/queries";
import type { OrderState } from "../orders/order-state";
import { actorOf, planTransition } from "../orders/transition.service";
import { decisionRecord } from "./checkout-risk.service";

const orders = () => db().collection(COLLECTIONS.orders);
const decisions = () => db().collection(COLLECTIONS.riskDecisions);
/** The decision that held an order, and the verdict on it: one record each, by order id. */
export const holdDecisionId = (orderId: string) => `checkout-${orderId}`;
export const verdictDecisionId = (orderId: string) => `review-${orderId}`;

export const listHeldOrders: CallableImpl<ListHeldOrdersRequest, ListHeldOrdersResponse> = {
  input: ListHeldOrdersRequest,
  async run({ limit, startAfter }) {
    let query = shapedQuery("ordersInStateOldestFirst", db(), "held").limit(limit);
    if (startAfter) {
      const cursor = await orders().doc(startAfter).get();
      if (!cursor.exists) throw notFound("Order", "order-not-found", "startAfter");
      query = query.startAfter(cursor);
    }
    const page = await query.get();
    const holds = page.empty ? [] : await db().getAll(...page.docs.map((order) => decisions().doc(holdDecisionId(order.id))));
    const held = page.docs.map((order, index): HeldOrder => ({
      orderId: order.id,
      restaurantId: order.get("restaurantId") as string,
      customerUid: order.get("customerUid") as string,
      total: order.get("total") as HeldOrder["total"],
      paymentMethod: order.get("paymentMethod") as HeldOrder["paymentMethod"],
      heldAt: (order.get("createdAt") as { toDate(): Date } | undefined)?.toDate().toISOString() ?? null,
      rules: ((holds[index]?.get("checks") as RiskRuleCheck[] | undefined) ?? []).filter((check) => check.tripped),
    }));
    return { orders: held, nextStartAfter: page.size === limit ? page.docs[page.size - 1].id : null };
  },
};

export const reviewHeldOrder: CallableImpl<ReviewHeldOrderRequest, ReviewHeldOrderResponse> = {
  input: ReviewHeldOrderRequest,
  async run({ orderId, verdict, note }, caller) {
    const ref = orders().doc(orderId);
    const decisionRef = decisions().doc(verdictDecisionId(orderId));
    const { FieldValue, Timestamp } = firestoreValues();
    const result = await db().runTransaction(async (tx) => {
      const [order, hold] = await Promise.all([tx.get(ref), tx.get(decisions().doc(holdDecisionId(orderId)))]);
      if (!order.exists) throw notFound("Order", "order-not-found", "orderId");
      // The table also lets an admin cancel an unheld order; that is orders-adminAction's move, not a verdict.
      if (order.get("status") !== "held") throw failedPrecondition(`Only a held order can be reviewed; this one is ${String(order.get("status")).replace(/_/g, " ")}.`, "invalid-transition");
      const card = order.get("paymentMethod") === "card";
      const to: OrderState = verdict === "reject" ? "cancelled" : card ? "awaiting_payment" : "placed";
      const planned = planTransition(tx, order, to, actorOf(caller), `admin: risk review ${verdict}`);
      const extra =
        verdict === "reject"
          ? { cancellation: { by: "admin", reason: "suspected-fraud" } }
          : card
            ? { payBefore: Timestamp.fromMillis(Date.now() + paymentWindowMinutes.value() * 60_000) }
            : {};
      tx.update(ref, { ...planned.fields, ...extra });
      // The checkout key's stored answer ("held") is no longer true: the app's next checkout with
      // that key finds the order as it is now (for an approved card order, its payment sheet).
      const checkoutKey = order.get("checkoutKey") as string | undefined;
      if (checkoutKey) tx.delete(db().collection(COLLECTIONS.idempotencyKeys).doc(checkoutKey));
      const checks = (hold.get("checks") as RiskRuleCheck[] | undefined) ?? [];
      tx.create(
        decisionRef,
        decisionRecord({ kind: "review", decision: verdict, orderId, uid: order.get("customerUid") as string, checks, correlationId: caller.correlationId, actorUid: caller.uid }),
      );
      // The note stays in the audit log, as with the other admin actions on orders.
      tx.create(db().collection(COLLECTIONS.auditLog).doc(), {
        action: `order.risk-${verdict}`,
        actorUid: caller.uid,
        orderId,
        ...(note ? { note } : {}),
        from: planned.result.from,
        to,
        decisionId: decisionRef.id,
        eventId: planned.result.eventId,
        correlationId: caller.correlationId,
        at: FieldValue.serverTimestamp(),
      });
      return planned.result;
    });
    log.info("risk.order-reviewed", { orderId, verdict, to: result.to, eventId: result.eventId });
    return { orderId, status: result.to, decisionId: decisionRef.id };
  },
};
