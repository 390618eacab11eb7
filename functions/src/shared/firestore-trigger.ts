/**
 * Firestore document triggers (created: the outbox; written: projections of a document). The correlation id comes from the document's `correlationId`
 * field and the trace context from its `traceparent`; a document that does not match the schema is dead-lettered rather than retried.
 * With `retry`, a failure is retried (locally by the wrapper: local-redelivery.ts).
 */
import { onDocumentCreated, onDocumentWritten, type DocumentOptions } from "firebase-functions/v2/firestore";
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

export interface DocumentWrittenImpl {
  /** The document changed (created, updated or deleted): re-read it, the event may be late or repeated. */
  handle(event: { eventId: string; documentId: string; params: Record<string, string> }): Promise<void>;
}

/**
 * Every write of a document, for projections that follow it. No schema: the handler re-reads
 * the document in its own transaction rather than trusting the event's copy, so a late or
 * repeated event still leads to the document's current state.
 */
export function defineDocumentWritten(
  spec: { name: string; document: string; options?: Omit<DocumentOptions, "document"> },
  load: () => Promise<DocumentWrittenImpl>,
) {
  return onDocumentWritten({ ...spec.options, document: spec.document }, async (event) => {
    const raw = event.data?.after?.data() ?? event.data?.before?.data() ?? {};
    const correlationId = acceptCorrelationId(raw.correlationId) ?? newCorrelationId();
    const documentId = event.data?.after?.id ?? event.data?.before?.id ?? "";
    const origin = { correlationId, traceparent: raw[TRACEPARENT], orderId: documentId };
    const run = () =>
      runEvent(spec.name, origin, { eventId: event.id, document: event.document }, async () => {
        await (await load()).handle({ eventId: event.id, documentId, params: event.params as Record<string, string> });
      });
    await (spec.options?.retry ? withLocalRedeliveries(spec.name, event.id, run) : run());
  });
}
