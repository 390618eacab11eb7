/**
 * The SMS port: the notification sender talks to this, never to a provider. A failed send is an
 * SmsError that says what the failure means for us: stop texting this number (`opted-out`),
 * never retry (`invalid-number`, `rejected`), retry later with backoff (`throttled`,
 * `unavailable`), or nobody knows whether Twilio took it (`unknown`: never resent blindly).
 */
import { provesNotSent } from "./transport-errors";

export interface SmsMessage {
  /** E.164. */
  to: string;
  body: string;
  /** Where the provider reports delivery (queued → sent → delivered / failed). */
  statusCallback?: string;
}

export interface SmsReceipt {
  providerId: string;
  status: string;
}

export type SmsFailure = "opted-out" | "invalid-number" | "throttled" | "unavailable" | "rejected" | "unknown";

export class SmsError extends Error {
  constructor(
    readonly kind: SmsFailure,
    readonly providerCode: number | null,
    message: string,
    /** The socket's error code when Twilio never answered (ECONNREFUSED, ECONNABORTED…). */
    readonly transport: string | null = null,
  ) {
    super(message);
    this.name = "SmsError";
  }

  get retryable(): boolean {
    return this.kind === "throttled" || this.kind === "unavailable";
  }
}

/**
 * Twilio's error codes and HTTP statuses, as our kinds of failure. Without an answer (no HTTP
 * status), only a connection that never came up is `unavailable`; a timeout or a reset after
 * the request left is `unknown`: Twilio may have taken the message.
 */
export function classifyTwilioError(code: number | null | undefined, httpStatus: number | null | undefined, transport?: string): SmsFailure {
  switch (code) {
    case 21610: // the recipient replied STOP
      return "opted-out";
    case 21211: // not a valid phone number
    case 21614: // not a mobile number
      return "invalid-number";
    case 20429: // too many requests
    case 30001: // queue overflow
      return "throttled";
  }
  if (httpStatus === 429) return "throttled";
  if (!httpStatus) return provesNotSent(transport) ? "unavailable" : "unknown";
  if (httpStatus >= 500) return "unavailable";
  return "rejected";
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsReceipt>;
}
