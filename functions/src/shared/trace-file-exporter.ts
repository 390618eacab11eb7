/**
 * The local span exporter: under the emulator every finished span is appended to a file as one
 * JSON line, which `npm run trace` and `npm run bench:trace` read. Each span is one
 * `appendFileSync` of one line, atomic enough across the Functions emulator's worker processes.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

/** Attribute of an entry span whose parent is the caller's span (a `traceparent` header): not ours to find. */
export const CALLER_PARENT = "trace.parent";

export type SpanKindName = "internal" | "server" | "client" | "producer" | "consumer";

/** One finished span, as the file holds it. Times are epoch milliseconds (fractional). */
export interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKindName;
  startMs: number;
  endMs: number;
  durationMs: number;
  status: "UNSET" | "OK" | "ERROR";
  /** For ERROR: the error's code or reason, never its message. */
  statusMessage?: string;
  attributes: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

/** @opentelemetry/api's SpanKind and SpanStatusCode, by value (the api stays unloaded until a span starts). */
const KINDS: SpanKindName[] = ["internal", "server", "client", "producer", "consumer"];
const STATUSES = ["UNSET", "OK", "ERROR"] as const;

const millis = ([seconds, nanos]: [number, number]) => seconds * 1000 + nanos / 1e6;

export function spanLine(span: ReadableSpan): SpanLine {
  const context = span.spanContext();
  const startMs = millis(span.startTime);
  const endMs = millis(span.endTime);
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanId ?? null,
    name: span.name,
    kind: KINDS[span.kind] ?? "internal",
    startMs,
    endMs,
    durationMs: Math.round((endMs - startMs) * 1000) / 1000,
    status: STATUSES[span.status.code] ?? "UNSET",
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: { ...span.attributes },
    links: span.links.map((link) => ({ traceId: link.context.traceId, spanId: link.context.spanId })),
  };
}

export class SpanFileExporter implements SpanExporter {
  private ready = false;

  constructor(private readonly file: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      if (!this.ready) {
        mkdirSync(dirname(this.file), { recursive: true });
        this.ready = true;
      }
      for (const span of spans) appendFileSync(this.file, `${JSON.stringify(spanLine(span))}\n`);
      done({ code: 0 });
    } catch (error) {
      done({ code: 1, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
