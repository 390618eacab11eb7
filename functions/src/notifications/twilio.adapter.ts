/**
 * The Twilio adapter of the SMS port, on the official `twilio` SDK, built on first use from the
 * TWILIO_* parameters. TWILIO_API_URL sends the SDK's requests to another origin (the local
 * Twilio double) through its own HTTP client, so the same client code runs there as in
 * production. Twilio's errors become SmsErrors (sms.ts). Sends go through Twilio's policy
 * (shared/provider-policies.ts): TWILIO_TIMEOUT_SECONDS bounds the whole answer (the SDK's own
 * timeout only notices a silent socket), and an open breaker refuses a send before it leaves.
 */
import type { Twilio } from "twilio";
import { log } from "../shared/log";
import { twilioAccountSid, twilioApiUrl, twilioAuthToken, twilioSender, twilioTimeoutSeconds } from "../shared/params";
import { callProvider } from "../shared/provider-policies";
import { classifyTwilioError, SmsError, type SmsMessage, type SmsReceipt, type SmsSender } from "./sms";
import { transportCode } from "./transport-errors";

let client: Twilio | undefined;

function twilio(): Twilio {
  if (!client) {
    const sdk = require("twilio") as typeof import("twilio");
    const base = twilioApiUrl.value();
    const timeout = twilioTimeoutSeconds.value() * 1000;
    client = sdk(twilioAccountSid.value(), twilioAuthToken.value(), base ? { httpClient: redirectedClient(sdk, base, timeout) } : { timeout });
  }
  return client;
}

/** Twilio's own HTTP client, sending to `base` instead of *.twilio.com. */
function redirectedClient(sdk: typeof import("twilio"), base: string, timeout: number) {
  const origin = new URL(base);
  const inner = new sdk.RequestClient({ timeout });
  return {
    request(options: Parameters<typeof inner.request>[0]) {
      const target = new URL(options.uri);
      target.protocol = origin.protocol;
      target.host = origin.host;
      return inner.request({ ...options, uri: target.href });
    },
  } as unknown as InstanceType<typeof sdk.RequestClient>;
}

function senderFields(): { messagingServiceSid: string } | { from: string } {
  const sender = twilioSender.value();
  return sender.startsWith("MG") ? { messagingServiceSid: sender } : { from: sender };
}

export const twilioSms: SmsSender = {
  async send(message: SmsMessage): Promise<SmsReceipt> {
    try {
      // Sends run in task queues, which retry what provably never left (never a send that may have gone).
      const sent = await callProvider(
        "twilio",
        "twilio.send",
        () => twilio().messages.create({ to: message.to, body: message.body, ...senderFields(), ...(message.statusCallback ? { statusCallback: message.statusCallback } : {}) }),
        { inQueue: true },
      );
      return { providerId: sent.sid, status: sent.status };
    } catch (error) {
      // Twilio's answers carry a numeric code and an HTTP status; a socket error carries neither.
      const e = error as { code?: number | string; status?: number; message?: string };
      const providerCode = typeof e.code === "number" ? e.code : null;
      const transport = e.status ? undefined : transportCode(error as Error);
      const kind = classifyTwilioError(providerCode, e.status, transport);
      log.warn(kind === "unknown" ? "sms.no-answer" : "sms.refused", { kind, providerCode, httpStatus: e.status ?? null, transport: transport ?? null });
      throw new SmsError(kind, providerCode, e.message ?? "SMS not sent", transport ?? null);
    }
  },
};
