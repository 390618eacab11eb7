/**
 * Redelivery of failed events on the local stack. Deployed, a Pub/Sub subscriber or a Firestore
 * trigger with `retry` whose handler threw gets its event again, with backoff, until it succeeds.
 * The Functions emulator never does: firebase-tools' Pub/Sub bridge acknowledges every message
 * once it has called the triggers, whatever they answered (`PubsubEmulator.onMessage`), and a
 * Firestore trigger that threw is not called again. So locally a failed delivery was lost and
 * "the retry redoes it" could not happen. With LOCAL_EVENT_REDELIVERIES set (functions/.env.local)
 * the wrappers redeliver, after a pause that grows with each attempt, at most that many times.
 * Deployed, this is a no-op.
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

const redeliveries = () => Number(localSetting("LOCAL_EVENT_REDELIVERIES") ?? 0) || 0;
const pause = (delivery: number) => new Promise((resolve) => setTimeout(resolve, PAUSE_MS * delivery));

/** Whether this message is a local redelivery meant for another subscriber than `handler`. */
export function redeliveredToOther(handler: string, attributes: Record<string, string>): boolean {
  return attributes[FOR] !== undefined && attributes[FOR] !== handler;
}

/**
 * Publishes the message `handler` failed on again, to that subscriber only, with the same data
 * and attributes (so the same eventId); answers whether it did (never throws). When it did, the
 * wrapper returns instead of rethrowing: the emulator acknowledges the message either way, and
 * kills a worker whose function threw, which may take the redelivery down with it.
 */
export async function redeliverLocally(handler: string, topic: Topic, message: { data?: string; attributes?: Record<string, string> }): Promise<boolean> {
  const limit = redeliveries();
  if (limit <= 0) return false;
  const attributes = message.attributes ?? {};
  const delivery = Number(attributes[DELIVERY] ?? 1);
  const fields = { handler, topic, eventId: attributes.eventId, delivery };
  if (delivery > limit) {
    log.warn("event.local-redeliveries-exhausted", fields);
    return false;
  }
  try {
    await pause(delivery);
    const data = Buffer.from(message.data ?? "", "base64");
    await pubsub().topic(topic).publishMessage({ data, attributes: { ...attributes, [DELIVERY]: String(delivery + 1), [FOR]: handler } });
    log.info("event.local-redelivery", fields);
    return true;
  } catch (error) {
    log.error("event.local-redelivery-failed", error, fields);
    return false;
  }
}

/**
 * Runs a Firestore trigger's `work`, and locally runs it again after a failure. A document's
 * creation cannot be sent again, so the redelivery happens inside the same invocation (a function
 * that threw has its worker killed by the emulator); what is left failing is thrown.
 */
export async function withLocalRedeliveries(handler: string, eventId: string, work: () => Promise<void>): Promise<void> {
  const limit = redeliveries();
  for (let delivery = 1; ; delivery += 1) {
    try {
      return await work();
    } catch (error) {
      if (delivery > limit) {
        if (limit > 0) log.warn("event.local-redeliveries-exhausted", { handler, eventId, delivery });
        throw error;
      }
      await pause(delivery);
      log.info("event.local-redelivery", { handler, eventId, delivery });
    }
  }
}
