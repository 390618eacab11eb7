import { defineSubscriber } from "../shared/subscriber";
import { TOPICS } from "../shared/topics";

/** Issues the receipt of each delivered order, once. */
export const onOrderEvent = defineSubscriber(
  { name: "billing-onOrderEvent", topic: TOPICS.orderEvents },
  async () => (await import("./receipts.service.js")).onOrderEvent,
);
