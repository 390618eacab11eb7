import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Schedules capture, release or refund when an order's payment lags behind its state. */
export const onOrderEvent = defineSubscriber(
  { name: "payments-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./settlement.service.js")).onOrderEvent,
);
