/**
 * What a callable error carries besides its code and message. Every error from this backend
 * has `details.correlationId`; the other fields appear with the codes that use them.
 */
import type { PaymentMethod } from "./checkout";

/** The canonical codes callables answer with (a subset of the Firebase Functions codes). */
export type ErrorCode =
  | "invalid-argument"
  | "unauthenticated"
  | "permission-denied"
  | "not-found"
  | "already-exists"
  | "failed-precondition"
  | "resource-exhausted"
  | "aborted"
  | "unavailable"
  | "internal";

/** One failing field of a request: `path` is dotted (`items.0.quantity`). */
export interface FieldError {
  path: string;
  message: string;
}

export interface ErrorDetails {
  /** Quote it to support: it finds every log line and document of the request. */
  correlationId: string;
  /** A stable machine-readable reason, e.g. `rate-limited`, `out-of-stock`. */
  reason?: string;
  /** With `invalid-argument`: every failing field of the request. */
  fields?: FieldError[];
  /** With `resource-exhausted` and `unavailable`: seconds to wait before trying again. */
  retryAfterSeconds?: number;
  /** With `unavailable`, reason `payments-unavailable`: the payment methods that work now (`["cash"]`). */
  availablePaymentMethods?: PaymentMethod[];
}
