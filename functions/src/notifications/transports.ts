/** Which adapters carry push and SMS: the providers, or the dev outbox of the local stack. */
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
