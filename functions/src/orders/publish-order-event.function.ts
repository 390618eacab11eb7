import { defineDocumentCreated } from "../shared/firestore-trigger";

/** Publishes each outbox record to `orders.v1.events`; retried until it succeeds. */
export const publishOrderEvent = defineDocumentCreated(
  { name: "orders-publishOrderEvent", document: "outbox/{eventId}", options: { retry: true } },
  async () => (await import("./outbox.service.js")).publishOrderEvent,
);
