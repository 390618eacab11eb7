/**
 * The SMTP adapter of the email port, on `nodemailer`, built on first use from the SMTP_*
 * parameters: provider-neutral (any provider's SMTP relay; locally the SMTP sink of
 * scripts/dev/smtp-sink.ts). Sends go through the `smtp` provider policy
 * (shared/provider-policies.ts): SMTP_TIMEOUT_SECONDS bounds the whole exchange, and an open
 * breaker refuses a send before it leaves. Failures become EmailErrors (email.ts).
 */
import type { Transporter } from "nodemailer";
import { log } from "../shared/log";
import { emailFrom, smtpHost, smtpPassword, smtpPort, smtpSecure, smtpTimeoutSeconds, smtpUser } from "../shared/params";
import { callProvider } from "../shared/provider-policies";
import { classifySmtpError, EmailError, type EmailMessage, type EmailReceipt, type EmailSender } from "./email";
import { transportCode } from "./transport-errors";

let transporter: Transporter | undefined;

function smtp(): Transporter {
  if (!transporter) {
    const nodemailer = require("nodemailer") as typeof import("nodemailer");
    const timeout = smtpTimeoutSeconds.value() * 1000;
    const user = smtpUser.value();
    transporter = nodemailer.createTransport({
      host: smtpHost.value(),
      port: smtpPort.value(),
      secure: smtpSecure.value(),
      ...(user ? { auth: { user, pass: smtpPassword.value() } } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }
  return transporter;
}

/** The Message-ID of a ledger entry: the same entry always names the same message. */
export const messageIdOf = (notificationId: string) => `<${notificationId.replace(/[^A-Za-z0-9_.-]/g, "_")}@notifications.food-delivery>`;

export const smtpEmail: EmailSender = {
  async send(message: EmailMessage): Promise<EmailReceipt> {
    const messageId = messageIdOf(message.notificationId);
    try {
      // Sends run in task queues, which retry only what provably never left.
      const info = await callProvider(
        "smtp",
        "smtp.send",
        () =>
          smtp().sendMail({
            from: emailFrom.value(),
            to: message.to,
            subject: message.subject,
            text: message.text,
            messageId,
            headers: { "X-Notification-Id": message.notificationId },
            attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
          }),
        { inQueue: true },
      );
      return { providerId: info.messageId ?? messageId, response: String(info.response ?? "") };
    } catch (error) {
      // The server's answers carry a reply code and the command it answered; a socket error neither.
      const e = error as { responseCode?: number; command?: string; message?: string };
      const responseCode = typeof e.responseCode === "number" ? e.responseCode : null;
      const transport = responseCode ? undefined : transportCode(error as Error);
      const kind = classifySmtpError(responseCode, e.command, transport);
      log.warn(kind === "unknown" ? "email.no-answer" : "email.refused", { kind, providerCode: responseCode, command: e.command ?? null, transport: transport ?? null });
      throw new EmailError(kind, responseCode, e.message ?? "email not sent", transport ?? null);
    }
  },
};
