/**
 * The push port: senders hand it messages for device tokens and get one outcome per message, in
 * order. A failed message says what it means for us: the token is dead and its device record
 * should go (`unregistered`, `invalid-token`), try again later (`throttled`, `unavailable`), or
 * give up on this message (`rejected`), or nobody knows whether FCM got it (`unknown`: the
 * request may have left before the connection failed; never resent blindly).
 */
import { provesNotSent, transportCode, unknownReason } from "./transport-errors";

export interface PushMessage {
  token: string;
  title: string;
  body: string;
  /** String-only key/values the app reads (order id, event type, deep link). */
  data: Record<string, string>;
  /** Time-sensitive messages go out at high priority and skip the OS's batching. */
  urgent: boolean;
}

export type PushFailure = "unregistered" | "invalid-token" | "throttled" | "unavailable" | "rejected" | "unknown";

export type PushOutcome = { ok: true; messageId: string } | { ok: false; failure: PushFailure; providerCode: string };

/** FCM's send limit per call: `sendEach` takes at most 500 messages. */
export const PUSH_BATCH_LIMIT = 500;

export interface PushTransport {
  /** Sends at most PUSH_BATCH_LIMIT messages; never throws for a single message's failure, nor for the call's. */
  sendEach(messages: PushMessage[]): Promise<PushOutcome[]>;
}

export const isDeadToken = (failure: PushFailure) => failure === "unregistered" || failure === "invalid-token";
export const isRetryablePush = (failure: PushFailure) => failure === "throttled" || failure === "unavailable";

/**
 * A transport failure (no answer from FCM): `unavailable` (retry) only when the connection was
 * never made; otherwise the request may have been delivered and the outcome is `unknown`.
 */
export function classifyFcmTransportError(error: unknown): PushFailure {
  return provesNotSent(transportCode(error as { code?: unknown; message?: unknown })) ? "unavailable" : "unknown";
}

/**
 * firebase-admin's messaging error codes as our kinds of failure. FCM v1 answers a malformed
 * token and a malformed message alike with INVALID_ARGUMENT; only the first condemns the token,
 * so the message text decides (a bad payload must never wipe every device).
 */
export function classifyFcmError(code: string | undefined, message: string | undefined): PushFailure {
  switch (code) {
    case "messaging/registration-token-not-registered":
      return "unregistered";
    case "messaging/invalid-registration-token":
      return "invalid-token";
    case "messaging/invalid-argument":
      return /registration token/i.test(message ?? "") ? "invalid-token" : "rejected";
    case "messaging/message-rate-exceeded":
    case "messaging/device-message-rate-exceeded":
    case "messaging/quota-exceeded":
      return "throttled";
    case "messaging/server-unavailable":
    case "messaging/internal-error":
    case "messaging/unknown-error":
      return "unavailable";
    // No answer at all: firebase-admin reports the socket's error in the message.
    case "app/network-error":
    case "app/network-timeout":
      return classifyFcmTransportError({ message: code === "app/network-timeout" ? `ETIMEDOUT ${message ?? ""}` : message });
    default:
      return "rejected";
  }
}

/** Splits `items` into runs of at most `size`. */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface PushVerdict {
  status: "sent" | "retrying" | "failed" | "unknown";
  /** Why it is not sent: the retryable failure, `retries-exhausted`, `no-working-device`, `rejected`, or for `unknown` `provider-timeout` / `connection-lost`. */
  reason: string | null;
  providerIds: string[];
  errors: string[];
  /** The provider code to retry on, when `retrying`. */
  retryCode?: string;
}

/**
 * What one person's push outcomes (one per device) amount to: sent when any device took it;
 * else unknown when any device's outcome is (a retry would push that device again); else to
 * retry when a failure was retryable and attempts remain; else failed.
 */
export function pushVerdict(outcomes: PushOutcome[], finalAttempt: boolean): PushVerdict {
  const providerIds = outcomes.flatMap((o) => (o.ok ? [o.messageId] : []));
  const failures = outcomes.flatMap((o) => (o.ok ? [] : [o]));
  const errors = failures.map((f) => f.providerCode);
  if (providerIds.length > 0) return { status: "sent", reason: null, providerIds, errors };
  const unknown = failures.find((f) => f.failure === "unknown");
  if (unknown) return { status: "unknown", reason: unknownReason(transportCode({ message: unknown.providerCode })), providerIds, errors };
  const retryable = failures.find((f) => isRetryablePush(f.failure));
  if (retryable && !finalAttempt) return { status: "retrying", reason: retryable.failure, providerIds, errors, retryCode: retryable.providerCode };
  const reason = retryable ? "retries-exhausted" : failures.every((f) => isDeadToken(f.failure)) ? "no-working-device" : "rejected";
  return { status: "failed", reason, providerIds, errors };
}
