/**
 * The log events that operations count: the one home of their names and of the fields that the
 * log-based metrics in `ops/monitoring/log-metrics.json` read. Code emits them by referring to
 * this table (`log.info(OPS_EVENTS.callableCompleted.name, …)`), so a rename happens here and the
 * monitoring tests notice a metric whose event no longer exists or is no longer emitted.
 *
 * Every line also carries `handler` and `correlationId` from the work context (shared/log.ts).
 */

export type OpsSeverity = "INFO" | "WARNING" | "ERROR";

export interface OpsEvent {
  /** The log line's event name: `jsonPayload.message` in Cloud Logging. */
  name: string;
  /** The logger level it is written at (`log.info` / `log.warn` / `log.error`). */
  severity: OpsSeverity;
  /** Fields a metric may use as labels. */
  labels: readonly string[];
  /** Numeric fields a distribution metric may read, in milliseconds. */
  values?: readonly string[];
  meaning: string;
  /** Declared here for a part of the system that is built elsewhere and emits it once merged. */
  emittedBy?: string;
}

export const OPS_EVENTS = {
  callableCompleted: {
    name: "callable.completed",
    severity: "INFO",
    labels: ["handler"],
    values: ["durationMs"],
    meaning: "A callable answered successfully.",
  },
  callableRefused: {
    name: "callable.refused",
    severity: "WARNING",
    labels: ["handler", "code", "reason"],
    values: ["durationMs"],
    meaning: "A callable refused the request with a domain error (the caller's problem, not ours).",
  },
  callableFailed: {
    name: "callable.failed",
    severity: "ERROR",
    labels: ["handler"],
    values: ["durationMs"],
    meaning: "A callable failed with an unexpected error; the client got `internal`.",
  },
  orderTransitioned: {
    name: "order.transitioned",
    severity: "INFO",
    labels: ["from", "to", "by"],
    meaning: "A person or a timeout moved an order (moves made inside payment transactions are seen by outboxPublished).",
  },
  outboxPublished: {
    name: "outbox.published",
    severity: "INFO",
    labels: ["type", "from", "to", "via"],
    values: ["lagMs", "sinceCheckoutMs", "sincePlacedMs"],
    meaning:
      "An order event left the outbox for Pub/Sub: once per committed order move, whatever made it. lagMs is the age of the record when published; sinceCheckoutMs (a card order placed) and sincePlacedMs (a move out of placed, and delivered) are the stage durations.",
  },
  outboxSwept: {
    name: "outbox.swept",
    severity: "WARNING",
    labels: [],
    meaning: "The sweep found outbox records the trigger had left unpublished (published, failed, deadLettered counts).",
  },
  paymentSettled: {
    name: "payment.settled",
    severity: "INFO",
    labels: ["payment"],
    meaning: "A payment reached a settled state at the provider: captured, canceled or refunded.",
  },
  paymentCaptureImpossible: {
    name: "payment.capture-impossible",
    severity: "WARNING",
    labels: ["reason"],
    meaning: "A payment could not be captured for good; its order is cancelled.",
  },
  paymentSettlementAbandoned: {
    name: "payment.settlement-abandoned",
    severity: "ERROR",
    labels: [],
    meaning: "Settling a payment ran out of retries: dead-lettered and the order flagged for an operator.",
  },
  cashReconciliationFlagged: {
    name: "cash.reconciliation-flagged",
    severity: "WARNING",
    labels: [],
    meaning: "A courier's cash day (cashReconciliations) now shows a difference between the cash due and the cash collected.",
  },
  orderAttentionFlagged: {
    name: "order.attention-flagged",
    severity: "WARNING",
    labels: ["reason"],
    meaning: "An order was flagged `attention` for a person to look at.",
  },
  deadLetterRecorded: {
    name: "dead-letter.recorded",
    severity: "ERROR",
    labels: ["failedHandler", "source"],
    meaning: "Work failed for good and was left in deadLetters for an operator to replay.",
  },
  deadLetterResolved: {
    name: "dead-letter.resolved",
    severity: "INFO",
    labels: [],
    meaning: "A replayed dead letter succeeded and was closed.",
  },
  notificationRecorded: {
    name: "notification.recorded",
    severity: "INFO",
    labels: ["channel", "status", "reason"],
    meaning: "The notifications ledger recorded a message's state: sent, delivered, queued, failed, skipped, deferred, retrying or unknown.",
  },
  smsSent: {
    name: "sms.sent",
    severity: "INFO",
    labels: ["status"],
    meaning: "Twilio took an SMS (each one costs money and counts against SMS_BUDGET_PER_HOUR).",
  },
  smsBudgetExhausted: {
    name: "sms.budget-exhausted",
    severity: "WARNING",
    labels: [],
    meaning: "An SMS was refused because the global hourly SMS budget was spent.",
  },
  taskRetried: {
    name: "task.retried",
    severity: "WARNING",
    labels: ["handler"],
    meaning: "A Cloud Tasks handler ran an attempt after the first (attempt > 1).",
  },
  taskGaveUp: {
    name: "task.gave-up",
    severity: "ERROR",
    labels: ["handler"],
    meaning: "A Cloud Tasks handler failed its last attempt; the task was dead-lettered.",
  },
  stripeWebhookHandled: {
    name: "stripe.webhook-handled",
    severity: "INFO",
    labels: ["type", "outcome"],
    meaning: "A signed Stripe event was processed (outcome applied, stale, duplicate, mismatch…).",
  },
  stripeWebhookFailed: {
    name: "stripe.webhook-failed",
    severity: "ERROR",
    labels: ["type"],
    meaning: "Processing a Stripe event failed; Stripe was answered 500 and will retry.",
  },
  stripeWebhookRejected: {
    name: "stripe.webhook-rejected",
    severity: "WARNING",
    labels: [],
    meaning: "A request to the Stripe webhook had no valid signature and was answered 400.",
  },
  providerBreakerOpened: {
    name: "provider.breaker-opened",
    severity: "ERROR",
    labels: ["provider"],
    meaning: "A provider (stripe, twilio, fcm) failed several calls in a row on one instance: its calls are refused at once until a trial call succeeds (shared/provider-policies.ts).",
  },
  providerBreakerHalfOpen: {
    name: "provider.breaker-half-open",
    severity: "INFO",
    labels: ["provider"],
    meaning: "An open provider breaker's cool-down ended: one trial call is let through.",
  },
  providerBreakerClosed: {
    name: "provider.breaker-closed",
    severity: "INFO",
    labels: ["provider"],
    meaning: "A provider's trial call succeeded: its breaker closed and calls flow again.",
  },
  providerBulkheadFull: {
    name: "provider.bulkhead-full",
    severity: "WARNING",
    labels: ["provider"],
    meaning: "A provider call was refused because the instance already had as many calls in flight and waiting as its bulkhead allows.",
  },
  stuckWorkDetected: {
    name: "ops.stuck-work-detected",
    severity: "ERROR",
    labels: ["kind"],
    meaning: "The stuck-work detector found work past its expected time (an order, a ledger entry, a dead letter, a broadcast).",
  },
  healthDegraded: {
    name: "ops.health-degraded",
    severity: "ERROR",
    labels: ["check"],
    meaning: "The health check found a dependency unreachable or a backlog out of bounds (answered 503).",
  },
} as const satisfies Record<string, OpsEvent>;

export type OpsEventKey = keyof typeof OPS_EVENTS;
