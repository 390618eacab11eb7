/**
 * What a callable error carries besides its code and message. Every error from this backend
 * has `details.correlationId`; the other fields appear with the codes that use them.
 */
import type { PaymentMethod } from "./checkout.js";

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
  /** With `failed-precondition`, reason `app-update-required`: the oldest contract version served. */
  minAppVersion?: string;
}

/**
 * Every `details.reason` the backend answers with, callables and HTTPS endpoints alike. The app
 * switches on these; a unit test (contract-reasons.test.ts) fails when the server throws one
 * that is missing here.
 */
export const ERROR_REASONS = [
  // The gateway's, any callable.
  "app-check-required",
  "app-update-required",
  "sign-in-required",
  "session-revoked",
  "account-disabled",
  "role-required",
  "forbidden",
  "invalid-request",
  "rate-limited",
  "not-found",
  "internal",
  // The GraphQL endpoint's: an ID token that does not verify.
  "invalid-token",
  // Sign-up, sign-in and accounts.
  "account-banned",
  "admission-unavailable",
  "email-not-verified",
  "second-factor-required",
  "recent-sign-in-required",
  "phone-verification-required",
  "phone-country-not-allowed",
  "user-not-found",
  // Administration.
  "admin-only",
  "already-banned",
  "not-banned",
  "self-ban",
  // Catalog.
  "restaurant-not-found",
  "category-not-found",
  "category-not-empty",
  "item-not-found",
  "not-your-restaurant",
  // Checkout.
  "idempotency-key-reused",
  "idempotency-key-in-progress",
  "restaurant-closed",
  "outside-delivery-area",
  "item-unavailable",
  "out-of-stock",
  "item-busy",
  "checkout-contended",
  "order-total-too-high",
  "order-closed",
  "verified-phone-required",
  "too-many-open-cash-orders",
  "promo-not-found",
  "promo-expired",
  "promo-not-applicable",
  "promo-minimum-not-met",
  "promo-exhausted",
  "promo-already-used",
  "payments-unavailable",
  "payment-start-failed",
  "card-declined",
  "risk-review",
  // Order workflow and dispatch.
  "order-not-found",
  "not-your-order",
  "invalid-transition",
  "not-your-move",
  "moot",
  "not-your-offer",
  "offer-expired",
  // Live tracking and cash at the door.
  "not-en-route",
  "location-report-too-frequent",
  "location-too-old",
  "location-in-future",
  "not-a-cash-order",
  "cash-not-collectable",
  "cash-already-recorded",
  "currency-mismatch",
  // Notifications.
  "broadcast-not-found",
  // Operations (the operator console).
  "dead-letter-not-found",
  "dead-letter-resolved",
  "dead-letter-not-replayable",
  // Receipts and invoices.
  "order-not-delivered",
  "invoice-already-issued",
  "seller-details-missing",
  "invoice-contended",
  "document-not-found",
  // HTTPS endpoints (webhooks, health).
  "bad-signature",
  "credentials-required",
  "invalid-id-token",
  "invalid-health-token",
] as const;
export type ErrorReason = (typeof ERROR_REASONS)[number];

/** Narrows an error's `details.reason` (a string on the wire) to a reason the app knows. */
export function isErrorReason(value: unknown): value is ErrorReason {
  return typeof value === "string" && (ERROR_REASONS as readonly string[]).includes(value);
}
