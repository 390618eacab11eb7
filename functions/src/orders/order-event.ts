/**
 * The message every order event carries on `orders.v1.events`, as the outbox wrote it. Handlers
 * treat it as a nudge: they re-read the order and act on its current state, so a duplicate, a
 * late or a reordered event leads to the same result as the expected sequence.
 */
import { z } from "zod";
import { ORDER_STATES } from "./order-state";

export const OrderEventMessage = z.object({
  eventId: z.string().min(1),
  type: z.string().regex(/^orders\.v\d+\.[a-z-]+$/),
  orderId: z.string().min(1),
  version: z.number().int().min(1),
  from: z.enum(ORDER_STATES).nullable(),
  to: z.enum(ORDER_STATES).nullable(),
  restaurantId: z.string().min(1),
  customerUid: z.string().min(1),
  /** For courier events: the courier offered or assigned. */
  courierUid: z.string().min(1).nullish(),
});
export type OrderEventMessage = z.infer<typeof OrderEventMessage>;

/** What the outbox trigger reads: the message plus bookkeeping (the trace context, and the stage durations it logs). */
export const OutboxRecord = OrderEventMessage.extend({
  correlationId: z.string().min(1),
  traceparent: z.string().nullish(),
  sinceCheckoutMs: z.number().nonnegative().optional(),
  sincePlacedMs: z.number().nonnegative().optional(),
});
export type OutboxRecord = z.infer<typeof OutboxRecord>;
