import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Keeps the restaurant board current and starts the acceptance clock. */
export const onOrderEvent = defineSubscriber(
  { name: "orders-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./order-events.service.js")).onOrderEvent,
);
