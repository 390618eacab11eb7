/**
 * Structured logging: an event name plus fields, never concatenated strings. Every line carries
 * the correlation id and handler of the current work context, and its trace and span ids in the
 * fields Cloud Logging links to Cloud Trace. Keep personal data and secrets
 * out of the fields. As a second line of defence the logger redacts fields named for personal
 * data and masks emails, phone numbers and push tokens in any text (error messages included).
 */
import * as logger from "firebase-functions/logger";
import { currentContext, type TraceContext } from "./context";

type Fields = Record<string, unknown>;

/** Field names whose values are personal data, whatever the call site meant. */
const PERSONAL_FIELDS = new Set(["email", "phone", "token", "tokens", "displayName", "firstName", "customerName", "customerFirstName", "customerEmail", "customerPhone", "address", "deliveryAddress", "line1", "line2", "instructions", "location"]);
/** No slash on either side: a scoped package in a stack path (`node_modules/@grpc/…`) is not an email. */
const EMAIL = /[^\s@"'<>(),;:/]+@[^\s@"'<>(),;:/]+\.[A-Za-z]{2,}/g;
/** E.164 numbers (with their +: ids and epoch milliseconds are left alone). */
const PHONE = /\+\d[\d\s-]{6,}(\d{4})\b/g;
/** FCM registration tokens: a long run of token characters around `:APA91b`. */
const PUSH_TOKEN = /[\w-]*:APA91b[\w-]*/g;

/** Text with emails, phone numbers (all but the last four digits) and push tokens masked. */
export function maskPersonalText(text: string): string {
  return text.replace(PUSH_TOKEN, "[token]").replace(EMAIL, "[email]").replace(PHONE, "•••$1");
}

/** `value` with personal fields redacted and personal text masked, through objects and arrays. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskPersonalText(value);
  if (depth > 8 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PERSONAL_FIELDS.has(k) && v !== null ? "[redacted]" : redact(v, depth + 1)]));
}

/** The fields Cloud Logging reads to link a line to its trace and span. */
export function traceFields(trace: TraceContext, project = process.env.GCLOUD_PROJECT ?? process.env.GOOGLE_CLOUD_PROJECT): Fields {
  return {
    ...(project ? { "logging.googleapis.com/trace": `projects/${project}/traces/${trace.traceId}` } : {}),
    "logging.googleapis.com/spanId": trace.spanId,
    "logging.googleapis.com/trace_sampled": trace.sampled,
  };
}

/** A line's fields: the work context's correlation id, handler and trace, then the caller's. */
export function entry(fields: Fields | undefined): Fields {
  const context = currentContext();
  const contextFields = context ? { correlationId: context.correlationId, handler: context.handler, ...(context.trace ? traceFields(context.trace) : {}) } : {};
  return redact({ ...contextFields, ...fields }) as Fields;
}

export const log = {
  debug: (event: string, fields?: Fields) => logger.debug(event, entry(fields)),
  info: (event: string, fields?: Fields) => logger.info(event, entry(fields)),
  warn: (event: string, fields?: Fields) => logger.warn(event, entry(fields)),
  /**
   * Errors are logged with their stack, which stays server-side. Written whole rather than through
   * `logger.error`, which would turn the event name into a stack trace: metrics filter on the name,
   * and Error Reporting reads `stack_trace`.
   */
  error: (event: string, error: unknown, fields?: Fields) => {
    const { stack, ...described } = describeError(error);
    logger.write({ severity: "ERROR", message: event, ...entry({ ...fields, error: described, ...(stack ? { stack_trace: stack } : {}) }) });
  },
};

export function describeError(error: unknown): Fields {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { value: String(error) };
}
