/**
 * What the orders context does when an order changes: refresh the restaurant's board, and
 * start the restaurant's acceptance clock when an order is placed.
 */
import { runOnce, runOnceThen } from "../shared/idempotency";
import { acceptanceWindowMinutes } from "../shared/params";
import type { SubscriberImpl } from "../shared/subscriber";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { planBoardUpdate } from "./board.service";
import { OrderEventMessage } from "./order-event";

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    await runOnce("orders-board", event.eventId, async (tx) => (await planBoardUpdate(tx, event.orderId))());
    if (event.to === "placed") {
      // Scheduled from the event, not checked against state: the deadline itself checks.
      await runOnceThen("orders-acceptanceClock", event.eventId, () =>
        enqueueTask(TASK_QUEUES.enforceAcceptanceDeadline, { orderId: event.orderId }, { id: `accept-by-${event.orderId}`, scheduleDelaySeconds: acceptanceWindowMinutes.value() * 60 }),
      );
    }
  },
};
