import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Commits an order's stock when it is accepted, gives it back when the order is given up. */
export const onOrderEvent = defineSubscriber(
  { name: "inventory-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./stock-events.service.js")).onOrderEvent,
);
