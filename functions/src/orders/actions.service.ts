/**
 * The people's moves on an order: restaurant staff through the kitchen, the customer's cancel,
 * the admin's cancel and refund. Each is a transition (transition.service.ts); what follows a
 * move (capture, refund, stock, courier, notifications) happens on its event.
 */
import { AdminOrderAction, CancelOrderRequest, RestaurantOrderAction, type OrderActionResponse } from "../contract/orders";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import type { OrderState } from "./order-state";
import { actorOf, transitionOrder, type Actor } from "./transition.service";

const RESTAURANT_MOVES: Record<RestaurantOrderAction["action"], OrderState> = {
  accept: "accepted",
  reject: "rejected",
  preparing: "preparing",
  ready: "ready",
};

export const restaurantAction: CallableImpl<RestaurantOrderAction, OrderActionResponse> = {
  input: RestaurantOrderAction,
  async run({ orderId, action, reason }, caller) {
    const to = RESTAURANT_MOVES[action];
    const why = action === "reject" ? `restaurant: reject (${reason ?? "no reason"})` : `restaurant: ${action}`;
    const extra = action === "reject" ? { rejection: { reason: reason ?? null } } : undefined;
    const result = await transitionOrder(orderId, to, actorOf(caller), why, { extra });
    return { orderId, status: result.to };
  },
};

export const cancelOrder: CallableImpl<CancelOrderRequest, OrderActionResponse> = {
  input: CancelOrderRequest,
  async run({ orderId, reason }, caller) {
    const actor: Actor = { kind: "customer", id: caller.uid! };
    const result = await transitionOrder(orderId, "cancelled", actor, `customer: cancel (${reason ?? "no reason"})`, {
      extra: { cancellation: { by: "customer", reason: reason ?? null } },
    });
    return { orderId, status: result.to };
  },
};

export const adminAction: CallableImpl<AdminOrderAction, OrderActionResponse> = {
  input: AdminOrderAction,
  async run({ orderId, action, reason, note }, caller) {
    const to: OrderState = action === "cancel" ? "cancelled" : "refunded";
    const extra = action === "cancel" ? { cancellation: { by: "admin", reason } } : { refund: { by: "admin", reason } };
    const { FieldValue } = firestoreValues();
    // The entry is written in the move's transaction: no move without its entry, nor the reverse.
    // The note stays in the audit log: the order (and its history) is the customer's to read.
    const result = await transitionOrder(orderId, to, actorOf(caller), `admin: ${action} (${reason})`, {
      extra,
      alsoWrite: (tx, move) =>
        tx.create(db().collection(COLLECTIONS.auditLog).doc(), {
          action: `order.${action}`,
          actorUid: caller.uid,
          orderId,
          reason,
          ...(note ? { note } : {}),
          from: move.from,
          eventId: move.eventId,
          correlationId: caller.correlationId,
          at: FieldValue.serverTimestamp(),
        }),
    });
    return { orderId, status: result.to };
  },
};
