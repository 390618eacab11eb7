/**
 * What a user tells the backend about being notified: the devices to push to, and per category
 * of message the channels they want plus quiet hours in their own time zone (profile
 * `timeZone`). Messages are written in the profile's `locale`.
 */
import { z } from "zod";
import { Id, SafeText } from "./primitives.js";

/** FCM registration tokens are base64url with ':' separators. */
const FcmToken = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_:.-]+$/, "Not an FCM registration token.");

const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "Use HH:MM, 24-hour.");

export const RegisterDeviceRequest = z.strictObject({
  /** The FCM registration token from `messaging().getToken()`. */
  token: FcmToken.min(20, "Not an FCM registration token."),
  platform: z.enum(["ios", "android", "web"]),
  appVersion: SafeText().min(1).max(40),
});
export type RegisterDeviceRequest = z.infer<typeof RegisterDeviceRequest>;

export const UnregisterDeviceRequest = z.strictObject({ token: FcmToken.min(1) });
export type UnregisterDeviceRequest = z.infer<typeof UnregisterDeviceRequest>;

export const DeviceResponse = z.object({ deviceId: z.string(), registered: z.boolean() });
export type DeviceResponse = z.infer<typeof DeviceResponse>;

/** `receipts`: the receipt of a delivered order, with its PDF (by email unless switched off). */
export const CATEGORIES = ["orderUpdates", "promotions", "receipts"] as const;
export type Category = (typeof CATEGORIES)[number];

const Channels = z.strictObject({ push: z.boolean(), sms: z.boolean(), email: z.boolean() });

export const NotificationPreferences = z.strictObject({
  channels: z.strictObject({ orderUpdates: Channels, promotions: Channels, receipts: Channels }),
  /** Non-urgent messages wait until the end of these hours (may span midnight). */
  quietHours: z.strictObject({ start: Clock, end: Clock }).nullable(),
});
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/**
 * Preferences as a profile stores them: saved before email and receipts existed, a category or
 * the email channel may be missing, and DEFAULT_PREFERENCES stands for what is missing.
 */
export const StoredNotificationPreferences = z.object({
  channels: z.object({ orderUpdates: Channels.partial(), promotions: Channels.partial(), receipts: Channels.partial().optional() }),
  quietHours: z.strictObject({ start: Clock, end: Clock }).nullable(),
});

/** Until the user says otherwise: order updates by push, receipts by email, promotions never (opt in). */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
  channels: {
    orderUpdates: { push: true, sms: false, email: false },
    promotions: { push: false, sms: false, email: false },
    receipts: { push: false, sms: false, email: true },
  },
  quietHours: null,
};

/** Only the parts sent change. */
export const UpdateNotificationPreferencesRequest = z.strictObject({
  channels: z.strictObject({ orderUpdates: Channels.partial().optional(), promotions: Channels.partial().optional(), receipts: Channels.partial().optional() }).optional(),
  quietHours: z.strictObject({ start: Clock, end: Clock }).nullable().optional(),
});
export type UpdateNotificationPreferencesRequest = z.infer<typeof UpdateNotificationPreferencesRequest>;

const BroadcastText = z.strictObject({ title: SafeText().min(1).max(65), body: SafeText({ multiline: true }).min(1).max(240) });

/** Who a broadcast goes to; only those who opted in to promotions receive it. */
export const BroadcastSegment = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("all-customers") }),
  /** Everyone who has had an order from this restaurant delivered. */
  z.strictObject({ kind: z.literal("restaurant-customers"), restaurantId: Id }),
]);
export type BroadcastSegment = z.infer<typeof BroadcastSegment>;

/** Admin only. `broadcastId` is chosen by the caller: starting the same id again changes nothing. */
export const StartBroadcastRequest = z.strictObject({
  broadcastId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "8 to 64 letters, digits, - or _."),
  segment: BroadcastSegment,
  message: z.strictObject({ en: BroadcastText, es: BroadcastText }),
  /** Opened by the app when the notification is tapped. */
  link: z.string().url().max(500).optional(),
  /** Recipients per batch (default BROADCAST_BATCH_SIZE). */
  batchSize: z.number().int().min(1).max(500).optional(),
});
export type StartBroadcastRequest = z.infer<typeof StartBroadcastRequest>;

/** Admin only. Carries a paused or stalled broadcast on from its cursor; nobody is sent it twice. */
export const ResumeBroadcastRequest = z.strictObject({ broadcastId: Id });
export type ResumeBroadcastRequest = z.infer<typeof ResumeBroadcastRequest>;

export const BroadcastStatus = z.object({
  broadcastId: z.string(),
  status: z.enum(["running", "paused", "stalled", "done"]),
  batchesDone: z.number(),
  /** False when a broadcast with this id already existed (nothing was started). */
  started: z.boolean(),
});
export type BroadcastStatus = z.infer<typeof BroadcastStatus>;
