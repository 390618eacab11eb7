import { defineDocumentCreated } from "../shared/firestore-trigger";

/** One delivery task per recipient of each notification request. */
export const onNotificationRequest = defineDocumentCreated(
  { name: "notifications-onNotificationRequest", document: "notificationRequests/{requestId}", options: { retry: true } },
  async () => (await import("./fanout.service.js")).onNotificationRequest,
);
