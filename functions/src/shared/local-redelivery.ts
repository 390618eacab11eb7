/**
 * Pub/Sub redelivery on the local stack. Deployed, a subscriber with `retry` whose handler threw
 * gets the message again, with backoff, until it succeeds. The Functions emulator never does:
 * firebase-tools' Pub/Sub bridge acknowledges every message once it has called the triggers,
 * whatever they answered (`PubsubEmulator.onMessage`), so locally a failed delivery was lost and
 * "the retry redoes it" could not happen. With PUBSUB_LOCAL_REDELIVERIES set (functions/.env.local),
 * the subscriber wrapper publishes a failed message again: the same data and attributes (so the
 * same eventId), addressed to the failed subscriber only, after a pause that grows with each
 * attempt, at most that many times. Deployed, this is a no-op.
 */
import { localSetting } from "./local-stack";
import { log } from "./log";
import { pubsub } from "./pubsub";
import type { Topic } from "./topics";

/** Which delivery of the message this is (2 for the first redelivery); absent on the first. */
const DELIVERY = "localDelivery";
/** The one subscriber a redelivery is for; the topic's other subscribers ignore it. */
const FOR = "localRedeliveryFor";
const PAUSE_MS = 500;

/** Whether this message is a local redelivery meant for another subscriber than `handler`. */
export function redeliveredToOther(handler: string, attributes: Record<string, string>): boolean {
  return attributes[FOR] !== undefined && attributes[FOR] !== handler;
}

/**
 * Publishes the message `handler` failed on again, as Pub/Sub would redeliver it; answers whether
 * it did (never throws). When it did, the wrapper returns instead of rethrowing: the emulator
 * acknowledges the message either way, and kills a worker whose function threw, which may take
 * the redelivery down with it.
 */
export async function redeliverLocally(handler: string, topic: Topic, message: { data?: string; attributes?: Record<string, string> }): Promise<boolean> {
  const limit = Number(localSetting("PUBSUB_LOCAL_REDELIVERIES") ?? 0);
  if (!(limit > 0)) return false;
  const attributes = message.attributes ?? {};
  const delivery = Number(attributes[DELIVERY] ?? 1);
  const fields = { handler, topic, eventId: attributes.eventId, delivery };
  if (delivery > limit) {
    log.warn("pubsub.local-redeliveries-exhausted", fields);
    return false;
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS * delivery));
    const data = Buffer.from(message.data ?? "", "base64");
    await pubsub().topic(topic).publishMessage({ data, attributes: { ...attributes, [DELIVERY]: String(delivery + 1), [FOR]: handler } });
    log.info("pubsub.local-redelivery", fields);
    return true;
  } catch (error) {
    log.error("pubsub.local-redelivery-failed", error, fields);
    return false;
  }
}
