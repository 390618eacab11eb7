/**
 * Delivering one message to one person, on every channel they should get it on:
 *
 * 1. Quiet hours: a non-urgent message inside the recipient's quiet hours is recorded `deferred`
 *    and handed back to the caller to schedule for when they end.
 * 2. Push, when the category's push channel is on: to every registered device in `sendEach`
 *    calls of at most 500. Tokens FCM calls unregistered or invalid are deleted; no other
 *    failure ever removes a device.
 * 3. SMS, when the category's SMS channel is on, or as escalation: a critical message whose push
 *    could not reach the person (no device, every device failed) goes by SMS to their phone,
 *    if sms-admission.ts lets it: a verified number in an allowed country, not opted out, under
 *    the per-user, per-number and global hourly limits.
 * 4. Email, when the category's email channel is on: to the account's email address over SMTP,
 *    with the message's attachments (a receipt's PDF). 4xx and a send that provably never left
 *    retry; 5xx is `failed` (listed for an operator); no final answer is `unknown`.
 *
 * Each (source, channel, recipient) is claimed in the ledger before its provider is called, so
 * it is sent once however often this runs. A provider that says "later" releases the claim
 * (`retrying`) and throws ProviderBusy, and the task queue runs the delivery again with backoff;
 * channels already settled are not touched again. A provider that may have the message but never
 * said so (timeout, reset mid-call) leaves it `unknown`: not resent, reported for an operator,
 * settled by the provider's delivery report where there is one.
 */
import type { Category, NotificationPreferences } from "../contract/notifications";
import { COLLECTIONS } from "../shared/collections";
import { RetryLater } from "../shared/event-handler";
import { db, firestoreValues } from "../shared/firebase";
import { faultPoint } from "../shared/faults";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { twilioStatusCallbackUrl } from "../shared/params";
import { preferencesOf, pushTargetsRef, setPushTarget } from "./devices.service";
import { claimMessage, messageId, recordUnsent, settleMessage, type Channel, type MessageFacts, type MessageKey } from "./ledger";
import { chunks, isDeadToken, PUSH_BATCH_LIMIT, pushVerdict, type PushMessage, type PushOutcome } from "./push";
import { quietHoursEnd } from "./quiet-hours";
import { EmailError, isEmailAddress, maskEmail, type EmailAttachment } from "./email";
import { SmsError } from "./sms";
import { logSmsRefusal, markOptedOut, maskPhone, numberRefusal, smsAdmission } from "./sms-admission";
import type { Locale } from "./templates";
import { unknownReason } from "./transport-errors";
import { emailSender, pushTransport, smsSender } from "./transports";

/** A message as its source describes it, before it is written in anyone's language. */
export interface Outgoing {
  /** Ledger source: the order event id, or `broadcast-{id}`. */
  source: string;
  type: string;
  category: Category;
  /** Escalates to SMS when push cannot reach the person. */
  critical: boolean;
  /** Ignores quiet hours. */
  urgent: boolean;
  orderId?: string;
  broadcastId?: string;
  render(locale: Locale): { title: string; body: string } | undefined;
  data: Record<string, string>;
  /** Files the email carries (a receipt's PDF); push and SMS never carry any. */
  attachments?(): Promise<EmailAttachment[]>;
}

export interface Recipient {
  uid: string;
  locale: Locale;
  timeZone: string;
  /** The number Firebase Auth verified for the account, mirrored into the profile. */
  phone: string | null;
  /** False for a number that did not come from Firebase Auth (a profile written before that rule). */
  phoneVerified: boolean;
  /** The account's email address, as Firebase Auth holds it (mirrored into the profile). */
  email: string | null;
  preferences: NotificationPreferences;
}

export interface Device {
  id: string;
  token: string;
  /** Its owner, as the push targets listed it. */
  uid: string;
}

/** A provider asked us to try again later; the task queue does, with backoff. */
export class ProviderBusy extends RetryLater {
  constructor(
    readonly channel: Channel,
    readonly providerCode: string,
  ) {
    super(`${channel} provider asked to retry later (${providerCode})`);
  }
}

export async function recipientOf(uid: string): Promise<Recipient | null> {
  const profile = await db().collection(COLLECTIONS.users).doc(uid).get();
  if (!profile.exists) return null;
  return recipientFrom(uid, profile.data()!);
}

export function recipientFrom(uid: string, profile: Record<string, unknown>): Recipient {
  return {
    uid,
    locale: profile.locale === "es" ? "es" : "en",
    timeZone: (profile.timeZone as string | undefined) ?? "UTC",
    phone: (profile.phone as string | null | undefined) ?? null,
    phoneVerified: profile.phoneVerified === true,
    email: (profile.email as string | null | undefined) ?? null,
    preferences: preferencesOf(profile as { notificationPreferences?: NotificationPreferences }),
  };
}

export async function devicesOf(uid: string): Promise<Device[]> {
  return devicesIn(await pushTargetsRef(uid).get());
}

/** The devices a `pushTargets/{uid}` document lists. */
export function devicesIn(targets: { id: string; get(field: string): unknown }): Device[] {
  const listed = (targets.get("devices") as Record<string, string> | undefined) ?? {};
  return Object.entries(listed).map(([id, token]) => ({ id, token, uid: targets.id }));
}

export interface DeliveryOptions {
  /** This run is the one scheduled for the end of quiet hours. */
  afterQuietHours?: boolean;
  /** The task's last attempt: settle instead of asking for another. */
  finalAttempt: boolean;
  /** Schedules this same delivery `delaySeconds` from now (quiet hours). */
  defer(delaySeconds: number): Promise<void>;
}

export type DeliveryResult = "deferred" | "done" | "nothing-to-say";

export async function deliverTo(recipient: Recipient, outgoing: Outgoing, options: DeliveryOptions): Promise<DeliveryResult> {
  const text = outgoing.render(recipient.locale);
  if (!text) return "nothing-to-say";
  const facts: MessageFacts = { type: outgoing.type, category: outgoing.category, orderId: outgoing.orderId, broadcastId: outgoing.broadcastId, locale: recipient.locale, ...text };
  const key = (channel: Channel): MessageKey => ({ source: outgoing.source, channel, uid: recipient.uid });
  const wants = recipient.preferences.channels[outgoing.category];

  if (!outgoing.urgent && !options.afterQuietHours) {
    const now = new Date();
    const until = quietHoursEnd(now, recipient.preferences.quietHours, recipient.timeZone);
    if (until > now) {
      const deferredUntil = firestoreValues().Timestamp.fromDate(until);
      for (const channel of ["push", "sms", "email"] as const) if (wants[channel]) await recordUnsent(key(channel), facts, "deferred", { deferredUntil });
      await options.defer(Math.ceil((until.getTime() - now.getTime()) / 1000));
      log.info("notification.deferred", { source: outgoing.source, uid: recipient.uid, until: until.toISOString() });
      return "deferred";
    }
  }

  let pushReached = false;
  if (wants.push) {
    pushReached = await pushStep(recipient, outgoing, facts, key("push"), options.finalAttempt);
  } else {
    await recordUnsent(key("push"), facts, "skipped", { reason: "preference" });
  }

  const escalate = outgoing.critical && wants.push && !pushReached && !wants.sms;
  if (wants.sms || escalate) {
    await smsStep(recipient, outgoing, facts, key("sms"), { escalated: escalate, finalAttempt: options.finalAttempt });
  } else {
    await recordUnsent(key("sms"), facts, "skipped", { reason: "preference" });
  }

  if (wants.email) {
    await emailStep(recipient, outgoing, facts, key("email"), options.finalAttempt);
  } else {
    await recordUnsent(key("email"), facts, "skipped", { reason: "preference" });
  }
  return "done";
}

// ---- push ---------------------------------------------------------------------------------

/** Sends to the recipient's devices; true when at least one device took the message (now or before). */
async function pushStep(recipient: Recipient, outgoing: Outgoing, facts: MessageFacts, key: MessageKey, finalAttempt: boolean): Promise<boolean> {
  const devices = await devicesOf(recipient.uid);
  if (devices.length === 0) {
    await recordUnsent(key, facts, "skipped", { reason: "no-device" });
    return false;
  }
  const claim = await claimMessage(key, facts);
  // Unknown counts as not reached: a critical message then escalates to SMS, another channel.
  if (!claim.claimed) return !["failed", "skipped", "unknown"].includes(claim.status);

  await faultPoint("notifications.after-claim");
  const outcomes = await sendPush(devices.map((device) => pushMessage(device.token, facts, outgoing, messageId(key))));
  const removed = await removeDeadTokens(devices, outcomes);
  const verdict = pushVerdict(outcomes, finalAttempt);
  await settleMessage(key, verdict.status, { providerIds: verdict.providerIds, devices: devices.length, tokensRemoved: removed, errors: verdict.errors, reason: verdict.reason });
  if (verdict.status === "retrying") throw new ProviderBusy("push", verdict.retryCode!);
  return verdict.status === "sent";
}

/**
 * The message for one device. Its data names the ledger entry it was sent for
 * (`notificationId`), so what a provider received can be matched with the ledger.
 */
export function pushMessage(token: string, text: { title: string; body: string }, outgoing: Outgoing, notificationId: string): PushMessage {
  return { token, title: text.title, body: text.body, urgent: outgoing.urgent, data: { ...outgoing.data, type: outgoing.type, notificationId } };
}

/**
 * Sends any number of messages, PUSH_BATCH_LIMIT per `sendEach` call; outcomes in order. Never
 * throws: a call that fails keeps the outcomes of the calls before it, and its own messages are
 * `unknown` (a transport that throws cannot say which of them left).
 */
export async function sendPush(messages: PushMessage[]): Promise<PushOutcome[]> {
  const transport = await pushTransport();
  const outcomes: PushOutcome[] = [];
  for (const batch of chunks(messages, PUSH_BATCH_LIMIT)) {
    try {
      outcomes.push(...(await transport.sendEach(batch)));
    } catch (error) {
      log.warn("push.call-failed", { messages: batch.length, error: (error as Error).message });
      outcomes.push(...batch.map((): PushOutcome => ({ ok: false, failure: "unknown", providerCode: "transport-error" })));
    }
  }
  return outcomes;
}

/** Deletes the devices whose token FCM called dead, if the record still holds that token. */
export async function removeDeadTokens(devices: Device[], outcomes: PushOutcome[]): Promise<number> {
  const dead = devices.filter((_, i) => { const o = outcomes[i]; return o && !o.ok && isDeadToken(o.failure); });
  if (dead.length === 0) return 0;
  await Promise.all(
    dead.map((device) =>
      db().runTransaction(async (tx) => {
        const ref = db().collection(COLLECTIONS.devices).doc(device.id);
        const current = await tx.get(ref);
        if (current.exists && current.get("token") === device.token) tx.delete(ref);
        setPushTarget(tx, (current.get("uid") as string | undefined) ?? device.uid, device.id, null);
      }),
    ),
  );
  log.info("devices.dead-tokens-removed", { count: dead.length });
  return dead.length;
}

// ---- SMS ----------------------------------------------------------------------------------

async function smsStep(recipient: Recipient, outgoing: Outgoing, facts: MessageFacts, key: MessageKey, options: { escalated: boolean; finalAttempt: boolean }): Promise<void> {
  const phone = recipient.phone;
  const now = new Date();
  const unusable = numberRefusal(phone, recipient.phoneVerified);
  if (unusable !== null || phone === null) {
    const reason = unusable ?? "no-phone";
    await recordUnsent(key, facts, "skipped", { reason, escalated: options.escalated, ...(phone ? { to: maskPhone(phone) } : {}) });
    if (reason !== "no-phone") logSmsRefusal(reason, { source: outgoing.source, uid: recipient.uid, phone, at: now });
    return;
  }
  const admission = smsAdmission(recipient.uid, phone, now);
  const claim = await claimMessage(key, facts, admission.guard);
  if (!claim.claimed) {
    if (claim.status === "skipped" && claim.reason) logSmsRefusal(claim.reason, { source: outgoing.source, uid: recipient.uid, phone, at: now });
    return;
  }
  const to = maskPhone(phone);
  const callbackBase = twilioStatusCallbackUrl.value();
  try {
    const receipt = await (await smsSender()).send({
      to: phone,
      body: `${facts.title}: ${facts.body}`,
      ...(callbackBase ? { statusCallback: `${callbackBase}?message=${encodeURIComponent(messageId(key))}` } : {}),
    });
    await settleMessage(key, receipt.status === "delivered" ? "delivered" : "queued", { providerId: receipt.providerId, to, escalated: options.escalated, reason: null });
    log.info(OPS_EVENTS.smsSent.name, { messageId: messageId(key), status: receipt.status });
  } catch (error) {
    // Anything but an SmsError came from our side of the call: nothing can have been sent.
    const failure = error instanceof SmsError ? error : new SmsError("unavailable", null, (error as Error).message);
    const details = { to, escalated: options.escalated, providerCode: failure.providerCode };
    if (failure.kind === "unknown") {
      // Twilio may have it: sending again could text twice. It stays counted against the cap;
      // Twilio's report (matched by the message id in the callback URL) settles it.
      await settleMessage(key, "unknown", { ...details, transport: failure.transport, reason: unknownReason(failure.transport ?? undefined) });
      return;
    }
    if (failure.kind === "opted-out") await markOptedOut(phone, "twilio-21610");
    if (failure.retryable && !options.finalAttempt) {
      // The message was not sent: it should not count against the caps.
      await admission.giveBack();
      await settleMessage(key, "retrying", { ...details, reason: failure.kind });
      throw new ProviderBusy("sms", String(failure.providerCode ?? failure.kind));
    }
    await settleMessage(key, "failed", { ...details, reason: failure.retryable ? "retries-exhausted" : failure.kind });
  }
}

// ---- email --------------------------------------------------------------------------------

/**
 * Claims, sends, settles: a claimed email is sent once. A retried delivery finds the entry
 * settled (or still `sending`, when the sender died after the send) and sends nothing.
 */
async function emailStep(recipient: Recipient, outgoing: Outgoing, facts: MessageFacts, key: MessageKey, finalAttempt: boolean): Promise<void> {
  const address = recipient.email;
  if (!isEmailAddress(address)) {
    await recordUnsent(key, facts, "skipped", { reason: "no-email" });
    return;
  }
  const claim = await claimMessage(key, facts);
  if (!claim.claimed) return;
  const to = maskEmail(address);
  let sent: { providerId: string; attachments: string[] };
  try {
    const attachments = outgoing.attachments ? await outgoing.attachments() : [];
    const receipt = await (await emailSender()).send({ to: address, subject: facts.title, text: facts.body, attachments, notificationId: messageId(key) });
    sent = { providerId: receipt.providerId, attachments: attachments.map((a) => a.filename) };
  } catch (error) {
    // Anything but an EmailError came from our side of the call (building the attachment): nothing was sent.
    const failure = error instanceof EmailError ? error : new EmailError("unavailable", null, (error as Error).message);
    const details = { to, providerCode: failure.providerCode };
    if (failure.kind === "unknown") {
      // The server may have it: sending again could deliver it twice. An operator sees it listed.
      await settleMessage(key, "unknown", { ...details, transport: failure.transport, reason: unknownReason(failure.transport ?? undefined) });
      return;
    }
    if (failure.retryable && !finalAttempt) {
      await settleMessage(key, "retrying", { ...details, reason: failure.kind });
      throw new ProviderBusy("email", String(failure.providerCode ?? failure.kind));
    }
    await settleMessage(key, "failed", { ...details, reason: failure.retryable ? "retries-exhausted" : failure.kind });
    return;
  }
  // A crash here (the server has the email, the ledger still says `sending`) must not send it again.
  await faultPoint("notifications.email.after-send");
  await settleMessage(key, "sent", { ...sent, to, reason: null });
}
