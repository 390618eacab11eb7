import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Turns order events into notification requests, once each. */
export const onOrderEvent = defineSubscriber(
  { name: "notifications-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./handoff.service.js")).onOrderEvent,
);
