/** Which adapters carry push, SMS and email: the providers, or the dev outbox of the local stack. */
import type { EmailSender } from "./email";
import type { PushTransport } from "./push";
import type { SmsSender } from "./sms";

export async function pushTransport(): Promise<PushTransport> {
  const outbox = await import("./dev-outbox.adapter.js");
  return outbox.devOutboxEnabled() ? outbox.devOutboxPush : (await import("./fcm.adapter.js")).fcmPush;
}

export async function smsSender(): Promise<SmsSender> {
  const outbox = await import("./dev-outbox.adapter.js");
  return outbox.devOutboxEnabled() ? outbox.devOutboxSms : (await import("./twilio.adapter.js")).twilioSms;
}

/** SMTP everywhere: locally SMTP_HOST is the SMTP sink that npm start and npm test run, which keeps what it receives. */
export async function emailSender(): Promise<EmailSender> {
  return (await import("./smtp.adapter.js")).smtpEmail;
}
