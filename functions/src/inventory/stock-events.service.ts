/**
 * Stock follows the order: reserved at checkout, sold (committed) once the restaurant accepts,
 * given back (with the promo use) when the order ends before that. Reads the order and the
 * reservation in the transaction that records the event, so a repeated or late event finds the
 * reservation already settled and changes nothing.
 */
import { COLLECTIONS } from "../shared/collections";
import { db } from "../shared/firebase";
import { runOnce } from "../shared/idempotency";
import type { SubscriberImpl } from "../shared/subscriber";
import { OrderEventMessage } from "../orders/order-event";
import { GIVEN_UP_STATES, type OrderState } from "../orders/order-state";
import { planReleaseOrderHolds } from "../checkout/order-holds";
import { planSettle } from "./stock.service";

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    // Only moves into acceptance or out of the running can change what the stock should be.
    if (!event.to || !(event.to === "accepted" || GIVEN_UP_STATES.includes(event.to))) return;
    await runOnce("inventory-onOrderEvent", event.eventId, async (tx) => {
      const order = await tx.get(db().collection(COLLECTIONS.orders).doc(event.orderId));
      if (!order.exists) return;
      if (order.get("acceptedAt")) {
        (await planSettle(tx, order.id, "committed", "order-accepted"))();
      } else if (GIVEN_UP_STATES.includes(order.get("status") as OrderState)) {
        (await planReleaseOrderHolds(tx, order.id, `order-${order.get("status") as string}`))();
      }
    });
  },
};
