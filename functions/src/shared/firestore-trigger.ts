/**
 * Firestore document triggers. The correlation id comes from the document's `correlationId`
 * field and the trace context from its `traceparent`; a document that does not match the schema is dead-lettered rather than retried.
 * With `retry`, a failure is retried (locally by the wrapper: local-redelivery.ts).
 */
import { onDocumentCreated, type DocumentOptions } from "firebase-functions/v2/firestore";
import { acceptCorrelationId, newCorrelationId } from "./context";
import { EVENT_DEPS, runEvent, type EventDeps, type Validated } from "./event-handler";
import { withLocalRedeliveries } from "./local-redelivery";
import { TRACEPARENT } from "./tracing";

export interface DocumentCreatedImpl<T> extends Validated<T> {
  handle(document: T, event: { eventId: string; documentId: string; params: Record<string, string> }): Promise<void>;
}

export function defineDocumentCreated<T>(
  spec: { name: string; document: string; options?: Omit<DocumentOptions, "document"> },
  load: () => Promise<DocumentCreatedImpl<T>>,
  deps: EventDeps = EVENT_DEPS,
) {
  return onDocumentCreated({ ...spec.options, document: spec.document }, async (event) => {
    const raw = event.data?.data() ?? {};
    const correlationId = acceptCorrelationId(raw.correlationId) ?? newCorrelationId();
    // Documents written for a trigger carry the trace context of the work that wrote them.
    const origin = { correlationId, traceparent: raw[TRACEPARENT], orderId: raw.orderId };
    const run = () => runEvent(spec.name, origin, { eventId: event.id, document: event.document }, async () => {
      const impl = await load();
      const parsed = impl.schema.safeParse(raw);
      if (!parsed.success) {
        const payload = { document: event.document, data: raw };
        await deps.recordDeadLetter({ handler: spec.name, source: "firestore", eventId: event.id, payload, error: parsed.error, attempts: 1 });
        return;
      }
      const params = event.params as Record<string, string>;
      await impl.handle(parsed.data, { eventId: event.id, documentId: event.data?.id ?? "", params });
    });
    // With `retry`, deployed Firestore calls the trigger again; locally the wrapper does.
    await (spec.options?.retry ? withLocalRedeliveries(spec.name, event.id, run) : run());
  });
}
