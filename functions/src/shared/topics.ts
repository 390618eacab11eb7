/**
 * Pub/Sub topics, named and versioned in one place: `<context>.v<version>.<event>`. A breaking
 * change to a message gets a new version and a new topic, so old and new subscribers coexist.
 */
export const TOPICS = {
  probeRequested: "diagnostics.v1.probe-requested",
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Attributes every message of this backend carries; subscribers dedupe on `eventId`. */
export interface EventAttributes {
  eventId: string;
  type: string;
  correlationId: string;
  [name: string]: string;
}
