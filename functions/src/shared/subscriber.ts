/**
 * Pub/Sub subscribers. With `retry` (the default) a thrown error redelivers the message, so an
 * implementation must be idempotent on `eventId` (see idempotency.ts), and a follow-up that
 * failed after a commit must be redone by the redelivery. The emulator does not redeliver; the
 * local stack does it here (local-redelivery.ts). Malformed messages are dead-lettered and
 * acknowledged: redelivering them would never help.
 */
import { onMessagePublished, type PubSubOptions } from "firebase-functions/v2/pubsub";
import { acceptCorrelationId, newCorrelationId } from "./context";
import { EVENT_DEPS, runEvent, type EventDeps, type Validated } from "./event-handler";
import { redeliveredToOther, redeliverLocally } from "./local-redelivery";
import type { Topic } from "./topics";
import { TRACEPARENT } from "./tracing";

export interface SubscriberImpl<T> extends Validated<T> {
  handle(message: T, event: { eventId: string; attributes: Record<string, string> }): Promise<void>;
}

export function defineSubscriber<T>(
  spec: { name: string; topic: Topic; retry?: boolean; options?: Omit<PubSubOptions, "topic" | "retry"> },
  load: () => Promise<SubscriberImpl<T>>,
  deps: EventDeps = EVENT_DEPS,
) {
  const retry = spec.retry ?? true;
  return onMessagePublished({ ...spec.options, topic: spec.topic, retry }, async (event) => {
    const message = event.data.message;
    const attributes = message.attributes ?? {};
    if (redeliveredToOther(spec.name, attributes)) return;
    const eventId = attributes.eventId ?? message.messageId;
    const correlationId = acceptCorrelationId(attributes.correlationId) ?? newCorrelationId();
    const origin = { correlationId, traceparent: attributes[TRACEPARENT], orderId: attributes.orderId };
    try {
      await runEvent(spec.name, origin, { eventId, topic: spec.topic, messageId: message.messageId }, async () => {
        const impl = await load();
        let body: unknown;
        try {
          body = message.json;
        } catch (error) {
          const payload = { topic: spec.topic, attributes, data: message.data };
          await deps.recordDeadLetter({ handler: spec.name, source: "pubsub", eventId, payload, error, attempts: 1 });
          return;
        }
        const parsed = impl.schema.safeParse(body);
        if (!parsed.success) {
          const payload = { topic: spec.topic, attributes, body };
          await deps.recordDeadLetter({ handler: spec.name, source: "pubsub", eventId, payload, error: parsed.error, attempts: 1 });
          return;
        }
        await impl.handle(parsed.data, { eventId, attributes });
      });
    } catch (error) {
      // runEvent logged the failure; locally the wrapper redelivers, deployed Pub/Sub does.
      if (retry && (await redeliverLocally(spec.name, spec.topic, message))) return;
      throw error;
    }
  });
}
