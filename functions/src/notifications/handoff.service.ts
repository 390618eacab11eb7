/**
 * The hand-off to notifications: each order event that someone should hear about becomes one
 * `notificationRequests/{eventId}` document naming the event and who is concerned. Written in
 * the ledger's transaction, so a redelivered event never asks twice; the senders work from
 * these requests.
 */
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { currentTraceparent } from "../shared/tracing";
import { db, firestoreValues } from "../shared/firebase";
import { runOnce } from "../shared/idempotency";
import type { SubscriberImpl } from "../shared/subscriber";
import { OrderEventMessage } from "../orders/order-event";
import { audienceOf } from "./templates";

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    const audience = audienceOf(event.type);
    if (audience.length === 0) return;
    await runOnce("notifications-onOrderEvent", event.eventId, async (tx) => {
      const order = await tx.get(db().collection(COLLECTIONS.orders).doc(event.orderId));
      const { FieldValue } = firestoreValues();
      // The courier the event names (an offer may have moved on since), else the order's.
      const courierUid = event.courierUid ?? (order.get("courierUid") as string | undefined) ?? null;
      tx.create(db().collection(COLLECTIONS.notificationRequests).doc(event.eventId), {
        eventId: event.eventId,
        type: event.type,
        orderId: event.orderId,
        audience,
        customerUid: event.customerUid,
        restaurantId: event.restaurantId,
        courierUid,
        status: "pending",
        correlationId: correlationId(),
        traceparent: currentTraceparent() ?? null,
        createdAt: FieldValue.serverTimestamp(),
      });
      // Whoever has had an order delivered is in the restaurant's audience for its promotions.
      if (event.type === "orders.v1.delivered") {
        tx.set(db().collection(COLLECTIONS.restaurantAudiences).doc(event.restaurantId).collection(COLLECTIONS.customers).doc(event.customerUid), { lastDeliveredAt: FieldValue.serverTimestamp(), orders: FieldValue.increment(1) }, { merge: true });
      }
    });
  },
};
