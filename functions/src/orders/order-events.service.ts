/**
 * What the orders context does when an order changes: refresh the restaurant's board, start
 * the payment window's clock when a card order awaits payment, and the restaurant's acceptance
 * clock when an order is placed. The clocks start from the event, which the order's own
 * transaction wrote: a checkout that dies after its commit still gets its expiry.
 */
import { runOnce, runOnceThen } from "../shared/idempotency";
import { acceptanceWindowMinutes, paymentWindowMinutes } from "../shared/params";
import type { SubscriberImpl } from "../shared/subscriber";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { planBoardUpdate } from "./board.service";
import { OrderEventMessage } from "./order-event";

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    await runOnce("orders-board", event.eventId, async (tx) => (await planBoardUpdate(tx, event.orderId))());
    if (event.to === "awaiting_payment") {
      await runOnceThen("orders-paymentClock", event.eventId, async () => {
        await enqueueTask(TASK_QUEUES.expireUnpaidOrder, { orderId: event.orderId }, { id: `expire-${event.orderId}`, scheduleDelaySeconds: paymentWindowMinutes.value() * 60 });
      });
    }
    if (event.to === "placed") {
      // Scheduled from the event, not checked against state: the deadline itself checks.
      await runOnceThen("orders-acceptanceClock", event.eventId, async () => {
        await enqueueTask(TASK_QUEUES.enforceAcceptanceDeadline, { orderId: event.orderId }, { id: `accept-by-${event.orderId}`, scheduleDelaySeconds: acceptanceWindowMinutes.value() * 60 });
      });
    }
  },
};
