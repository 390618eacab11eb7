/**
 * Domain errors: thrown anywhere in the codebase with a canonical code, turned into an
 * HttpsError only at the callable boundary (see callable.ts). Anything that is not a
 * DomainError reaches the client as `internal` with no message of its own.
 */
import type { ErrorCode, ErrorDetails, FieldError } from "../contract/errors";

export type { ErrorCode, FieldError };

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ErrorDetails, "correlationId"> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const invalidArgument = (fields: FieldError[], message = describeFields(fields)) =>
  new DomainError("invalid-argument", message, { reason: "invalid-request", fields });

/** `field`, when given, names the request field that pointed at the missing thing. */
export const notFound = (what: string, reason = "not-found", field?: string) =>
  new DomainError("not-found", `${what} was not found.`, {
    reason,
    ...(field ? { fields: [{ path: field, message: `No such ${what.toLowerCase()}.` }] } : {}),
  });

export const permissionDenied = (message = "You are not allowed to do this.", reason = "forbidden") =>
  new DomainError("permission-denied", message, { reason });

export const failedPrecondition = (message: string, reason: string) =>
  new DomainError("failed-precondition", message, { reason });

export const resourceExhausted = (message: string, retryAfterSeconds: number, reason = "rate-limited") =>
  new DomainError("resource-exhausted", message, { reason, retryAfterSeconds });

function describeFields(fields: FieldError[]): string {
  const names = fields.map((f) => f.path || "(request)");
  return `Invalid request: ${[...new Set(names)].join(", ")}.`;
}
