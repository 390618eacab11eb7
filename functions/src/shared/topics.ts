/**
 * Pub/Sub topics, named and versioned in one place: `<context>.v<version>.<event>`. A breaking
 * change to a message gets a new version and a new topic, so old and new subscribers coexist.
 */
export const TOPICS = {
  probeRequested: "diagnostics.v1.probe-requested",
  /**
   * Every change of every order, from the outbox. The `type` attribute says which
   * (`orders.v1.accepted`, `orders.v1.courier-assigned`, ...); subscribers react to the order's
   * current state, so they need not see every type, nor see them in order.
   */
  orderEvents: "orders.v1.events",
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Attributes every message of this backend carries; subscribers dedupe on `eventId`. */
export interface EventAttributes {
  eventId: string;
  type: string;
  correlationId: string;
  [name: string]: string;
}
