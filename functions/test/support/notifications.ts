/**
 * Fixtures for notification tests: recipients with a profile, devices and preferences as the
 * app would set them, the FCM and Twilio doubles' and the SMTP sink's records and failure
 * switches, the ledger, and Twilio-signed status callbacks.
 */
import { randomUUID } from "node:crypto";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks";
import { CALLABLES } from "../../src/contract/callables";
import { DEFAULT_PREFERENCES, type UpdateNotificationPreferencesRequest } from "../../src/contract/notifications";
import { deviceId } from "../../src/notifications/devices.service";
import { admin, functionUrl, verifyPhone, type AppClient } from "./emulators";
import { eventually, kitchen, type Kitchen } from "./workflow";

export const FCM_DOUBLE = "http://127.0.0.1:12113";
export const TWILIO_DOUBLE = "http://127.0.0.1:12112";
export const SMTP_SINK = "http://127.0.0.1:12117";
/** functions/.secret.local and .env.local, as the Functions emulator reads them. */
export const TWILIO_AUTH_TOKEN = "local_double_auth_token";
export const STATUS_CALLBACK_URL = functionUrl("notifications-twilioStatus");

/** A device token shaped like FCM's; `kind` lands in it so the FCM double can fail it on sight. */
export const fcmToken = (kind = "ok") => `${kind}-${randomUUID()}:APA91b${randomUUID().replace(/-/g, "")}`;

/** Waits for the profile the sign-up trigger creates, then sets `fields` on it. */
export async function profile(uid: string, fields: Record<string, unknown>): Promise<void> {
  const ref = admin().db.collection("users").doc(uid);
  await eventually(`profile of ${uid}`, async () => (await ref.get()).exists);
  await ref.set(fields, { merge: true });
}

export async function registerDevice(client: AppClient, token = fcmToken()): Promise<string> {
  await client.call(CALLABLES.registerDevice, { token, platform: "android", appVersion: "3.2.0" });
  return token;
}

export const setPreferences = (client: AppClient, changes: UpdateNotificationPreferencesRequest) => client.call(CALLABLES.updateNotificationPreferences, changes);

export interface PushSeen {
  token: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

export async function pushesTo(token: string): Promise<PushSeen[]> {
  return (await fetch(`${FCM_DOUBLE}/_double/messages?token=${encodeURIComponent(token)}`)).json() as Promise<PushSeen[]>;
}

export async function broadcastSummary(broadcastId: string): Promise<{ messages: number; tokens: number; duplicates: number }> {
  return (await fetch(`${FCM_DOUBLE}/_double/summary?broadcastId=${broadcastId}`)).json() as Promise<{ messages: number; tokens: number; duplicates: number }>;
}

export async function failFcm(rule: { token: string; error: "unregistered" | "invalid" | "quota" | "unavailable"; count: number }) {
  await fetch(`${FCM_DOUBLE}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) });
}

export interface SmsSeen {
  sid: string;
  to: string;
  body: string;
  status_callback: string | null;
}

export async function smsTo(phone: string): Promise<SmsSeen[]> {
  const all = (await (await fetch(`${TWILIO_DOUBLE}/_double/messages`)).json()) as SmsSeen[];
  return all.filter((m) => m.to === phone);
}

/** Twilio refuses with `status`/`code`, or (`after`) takes the message and then never answers or resets. */
export async function failTwilio(rule: { to: string; count: number } & ({ status: number; code: number } | { after: "hang" | "drop" })) {
  await fetch(`${TWILIO_DOUBLE}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) });
}

export interface EmailSeen {
  id: string;
  to: string[];
  subject: string;
  text: string;
  messageId: string | null;
  notificationId: string | null;
  attachments: { filename: string; contentType: string; size: number; head: string }[];
}

/** The emails the SMTP sink accepted for `address`. */
export async function emailsTo(address: string): Promise<EmailSeen[]> {
  return (await fetch(`${SMTP_SINK}/_double/messages?to=${encodeURIComponent(address)}`)).json() as Promise<EmailSeen[]>;
}

/** The bytes of an email's attachment, as the sink received them. */
export async function emailAttachment(email: EmailSeen, index = 0): Promise<Buffer> {
  const { base64 } = (await (await fetch(`${SMTP_SINK}/_double/messages/${email.id}/attachments/${index}`)).json()) as { base64: string };
  return Buffer.from(base64, "base64");
}

/** The sink refuses the next emails to matching addresses with an SMTP reply `code`, or keeps one and never answers. */
export async function failSmtp(rule: { to: string; count: number } & ({ code: number; stage?: "rcpt" | "data" } | { after: "hang" })) {
  await fetch(`${SMTP_SINK}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(rule) });
}

export async function resetDoubles() {
  await Promise.all([fetch(`${FCM_DOUBLE}/_double/reset`, { method: "POST" }), fetch(`${TWILIO_DOUBLE}/_double/reset`, { method: "POST" })]);
}

/** A phone number nobody else in the run has. */

export interface LedgerEntry {
  id: string;
  source: string;
  channel: "push" | "sms" | "email";
  uid: string;
  type: string;
  status: string;
  reason?: string | null;
  providerIds?: string[];
  providerId?: string;
  escalated?: boolean;
  title: string;
  body: string;
  [field: string]: unknown;
}

/** The ledger entries of `uid`, optionally only those of one event type. */
export async function ledgerOf(uid: string, type?: string): Promise<LedgerEntry[]> {
  let query = admin().db.collection("notifications").where("uid", "==", uid);
  if (type) query = query.where("type", "==", type);
  return (await query.get()).docs.map((d) => ({ id: d.id, ...d.data() }) as LedgerEntry);
}

/** Waits until `uid` has a ledger entry on `channel` for `type` that satisfies `done`. */
export async function ledgerEntry(uid: string, type: string, channel: "push" | "sms" | "email", done: (e: LedgerEntry) => boolean = (e) => !["sending", "retrying"].includes(e.status), timeoutMs = 45_000): Promise<LedgerEntry> {
  return eventually(`${channel} ${type} for ${uid}`, async () => (await ledgerOf(uid, type)).find((e) => e.channel === channel && done(e)), timeoutMs);
}

/** Posts a status callback as Twilio would, signed with `token` for the URL it is sent to. */
export async function twilioCallback(messageId: string, params: Record<string, string>, token = TWILIO_AUTH_TOKEN, signature?: string): Promise<number> {
  const url = `${STATUS_CALLBACK_URL}?message=${encodeURIComponent(messageId)}`;
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  const signed = signature ?? getExpectedTwilioSignature(token, url, params);
  if (signed) headers["x-twilio-signature"] = signed;
  const response = await fetch(url, { method: "POST", headers, body: new URLSearchParams(params).toString() });
  return response.status;
}

export interface Person {
  uid: string;
  tokens: string[];
  phone?: string;
}

/** A customer in the restaurant's audience, with devices and promotion preferences. */
export async function member(restaurantId: string, uid: string, options: { locale?: "en" | "es"; push?: boolean; sms?: boolean; tokens?: string[]; phone?: string }): Promise<Person> {
  const db = admin().db;
  const tokens = options.tokens ?? [fcmToken()];
  // A member with a phone has it verified by Firebase Auth; the profile mirrors it.
  if (options.phone) await admin().auth.createUser({ uid, phoneNumber: options.phone });
  await db.doc(`users/${uid}`).set({
    uid,
    role: "customer",
    locale: options.locale ?? "en",
    timeZone: "UTC",
    phone: options.phone ?? null,
    phoneVerified: Boolean(options.phone),
    notificationPreferences: { ...DEFAULT_PREFERENCES, channels: { ...DEFAULT_PREFERENCES.channels, promotions: { push: options.push ?? true, sms: options.sms ?? false } } },
  });
  for (const token of tokens) await db.doc(`devices/${deviceId(token)}`).set({ uid, token, platform: "ios", appVersion: "3.2.0" });
  await db.doc(`pushTargets/${uid}`).set({ devices: Object.fromEntries(tokens.map((token) => [deviceId(token), token])) });
  await db.doc(`restaurantAudiences/${restaurantId}/customers/${uid}`).set({ orders: 1 });
  return { uid, tokens, phone: options.phone };
}

/** A kitchen whose staff profile names the restaurant, as `admin-setUserRole` leaves it. */
export async function staffedKitchen(): Promise<Kitchen> {
  const k = await kitchen();
  await profile(k.staff.user.uid, { role: "staff", restaurantIds: [k.restaurantId] });
  return k;
}

/** A staffed kitchen whose customer has a verified phone of their own and takes order updates by SMS only. */
export async function smsOnlyKitchen(clients: { close(): Promise<void> }[]): Promise<{ k: Kitchen; phone: string }> {
  const k = await staffedKitchen();
  clients.push(k.staff, k.customer);
  const phone = await verifyPhone(k.customer);
  await setPreferences(k.customer, { channels: { orderUpdates: { push: false, sms: true } } });
  return { k, phone };
}
