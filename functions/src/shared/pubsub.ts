/**
 * Publishing domain events. The Pub/Sub client is created on first use: loading
 * @google-cloud/pubsub costs more than the rest of a cold start together.
 */
import type { PubSub } from "@google-cloud/pubsub";
import { correlationId } from "./context";
import { withFault } from "./faults";
import { log } from "./log";
import type { EventAttributes, Topic } from "./topics";
import { currentTraceparent, TRACEPARENT } from "./tracing";

let client: PubSub | undefined;

/** The Pub/Sub client, made on first use. */
export function pubsub(): PubSub {
  if (!client) {
    const { PubSub: PubSubClient } = require("@google-cloud/pubsub") as typeof import("@google-cloud/pubsub");
    client = new PubSubClient();
  }
  return client;
}

/**
 * Publishes `data` as JSON. The same event may be published more than once (a retried trigger),
 * so `eventId` must be stable for the event: subscribers dedupe on it.
 */
export async function publish(
  topic: Topic,
  data: object,
  attributes: { eventId: string; type: string; correlationId?: string; [name: string]: string | undefined },
): Promise<string> {
  const all = { ...attributes, correlationId: attributes.correlationId ?? correlationId() } as EventAttributes;
  const messageId = await withFault(`pubsub.publish:${topic}`, () => {
    // Inside the publish span: the subscriber's span becomes its child.
    const traceparent = currentTraceparent();
    return pubsub().topic(topic).publishMessage({ json: data, attributes: traceparent ? { ...all, [TRACEPARENT]: traceparent } : all });
  });
  log.info("event.published", { topic, eventId: all.eventId, type: all.type, messageId });
  return messageId;
}

/** Whether `topic` exists, as Pub/Sub answers it (a metadata read: what the health check asks). */
export async function topicExists(topic: Topic): Promise<boolean> {
  const [exists] = await pubsub().topic(topic).exists();
  return exists;
}
