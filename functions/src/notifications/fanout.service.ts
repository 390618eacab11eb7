/**
 * From a notification request (one order event) to one delivery task per recipient. The
 * restaurant's audience is its staff (profiles whose `restaurantIds` hold it); the courier's is
 * the courier the event names. Task ids are derived from (event, audience, recipient), so a
 * redelivered trigger enqueues nothing new.
 */
import { z } from "zod";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import type { DocumentCreatedImpl } from "../shared/firestore-trigger";
import { log } from "../shared/log";
import { enqueueTask } from "../shared/tasks";
import { TASK_QUEUES } from "../shared/task-queues";
import type { Audience } from "./templates";
import { taskIdOf, type DeliverTask } from "./deliver.service";
import { shapedQuery } from "../shared/queries";

export const NotificationRequest = z.object({
  eventId: z.string().min(1),
  type: z.string().min(1),
  orderId: z.string().min(1),
  audience: z.array(z.enum(["customer", "restaurant", "courier"])),
  customerUid: z.string().min(1),
  restaurantId: z.string().min(1),
  courierUid: z.string().nullable(),
});
export type NotificationRequest = z.infer<typeof NotificationRequest>;

async function recipientsOf(request: NotificationRequest, audience: Audience): Promise<string[]> {
  switch (audience) {
    case "customer":
      return [request.customerUid];
    case "courier":
      return request.courierUid ? [request.courierUid] : [];
    case "restaurant": {
      const staff = await shapedQuery("staffOfRestaurant", db(), request.restaurantId).select().get();
      return staff.docs.map((doc) => doc.id);
    }
  }
}

export const onNotificationRequest: DocumentCreatedImpl<NotificationRequest> = {
  schema: NotificationRequest,
  async handle(request, event) {
    let recipients = 0;
    for (const audience of request.audience) {
      for (const uid of await recipientsOf(request, audience)) {
        const task: DeliverTask = { kind: "order", requestId: event.documentId, audience, uid };
        await enqueueTask(TASK_QUEUES.deliverNotification, task, { id: taskIdOf(task) });
        recipients += 1;
      }
    }
    const { FieldValue } = firestoreValues();
    await db().collection(COLLECTIONS.notificationRequests).doc(event.documentId).update({ status: "dispatched", recipients, dispatchedAt: FieldValue.serverTimestamp() });
    log.info("notification.dispatched", { eventId: request.eventId, type: request.type, recipients });
  },
};
