import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Starts the courier search when an order is accepted; frees couriers when it ends. */
export const onOrderEvent = defineSubscriber(
  { name: "dispatch-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./dispatch.service.js")).onOrderEvent,
);
