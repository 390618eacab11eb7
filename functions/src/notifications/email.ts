/**
 * The email port: the notification sender talks to this, never to a provider. Email goes out
 * over SMTP (smtp.adapter.ts), which every provider speaks. A failed send is an EmailError that
 * says what the failure means for us: never retry (`rejected`, `invalid-address`: the server
 * answered 5xx), retry later with backoff (`throttled`: a 4xx; `unavailable`: the message
 * provably never left), or nobody knows whether the server took it (`unknown`: never resent).
 */
import { provesNotSent } from "./transport-errors";

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  attachments?: EmailAttachment[];
  /** Our ledger id; it becomes the Message-ID, so what a mailbox holds can be matched with the ledger. */
  notificationId: string;
}

export interface EmailReceipt {
  /** The Message-ID the server accepted. */
  providerId: string;
  /** The server's final answer ("250 …"). */
  response: string;
}

export type EmailFailure = "invalid-address" | "rejected" | "throttled" | "unavailable" | "unknown";

export class EmailError extends Error {
  constructor(
    readonly kind: EmailFailure,
    /** The SMTP reply code (550, 451…), when the server answered. */
    readonly providerCode: number | null,
    message: string,
    /** The socket's error code when the server never answered (ECONNREFUSED, ETIMEDOUT…). */
    readonly transport: string | null = null,
  ) {
    super(message);
    this.name = "EmailError";
  }

  get retryable(): boolean {
    return this.kind === "throttled" || this.kind === "unavailable";
  }
}

/**
 * Commands before DATA: a failure there leaves nothing with the server (no message was handed
 * over). During or after DATA, only the server's final answer says whether it took the message.
 */
const BEFORE_DATA = ["CONN", "EHLO", "HELO", "LHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO"];

/**
 * An SMTP failure as our kind. 5xx is a permanent refusal (550-553 to the address, anything else
 * to the message); 4xx asks to try later, whenever it comes, since the server did not take the
 * message. Without an answer, a failure before DATA (or a connection that never came up) never
 * sent anything; anything else is unknown.
 */
export function classifySmtpError(responseCode: number | null | undefined, command: string | null | undefined, transport?: string): EmailFailure {
  if (responseCode && responseCode >= 500) return [550, 551, 553].includes(responseCode) && command === "RCPT TO" ? "invalid-address" : "rejected";
  if (responseCode && responseCode >= 400) return "throttled";
  if (provesNotSent(transport)) return "unavailable";
  const stage = (command ?? "").toUpperCase();
  if (BEFORE_DATA.some((before) => stage.startsWith(before))) return "unavailable";
  return "unknown";
}

export interface EmailSender {
  send(message: EmailMessage): Promise<EmailReceipt>;
}

/** A syntactically usable address; anything else is skipped, never handed to the server. */
export const isEmailAddress = (value: unknown): value is string => typeof value === "string" && value.length <= 254 && /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(value);

/** An address for logs and the ledger: its domain and the first letter, never the whole address. */
export const maskEmail = (address: string) => {
  const [local, domain] = address.split("@");
  return `${local.slice(0, 1)}…@${domain ?? "?"}`;
};
