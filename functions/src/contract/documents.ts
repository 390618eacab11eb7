/**
 * The documents the app listens to, as the server writes them: parse a snapshot's `data()` with
 * these to get typed values (`OrderDocument.parse(snapshot.data())`). Unknown fields are
 * dropped, so the server may add fields without breaking an older app; a field the app relies
 * on changing shape is a contract change (a new major version).
 *
 * Times are Firestore Timestamps (both SDKs' have `toMillis()`); the server sets every one, so
 * a snapshot never holds a pending server timestamp.
 */
import { z } from "zod";
import { PAYMENT_METHODS, PriceBreakdown, PricedLine } from "./checkout.js";
import { StoredNotificationPreferences } from "./notifications.js";
import { ACTOR_KINDS, ORDER_STATES } from "./order-states.js";
import { UserProfile } from "./profile.js";

export interface TimestampLike {
  toMillis(): number;
}
export const FirestoreTimestamp = z.custom<TimestampLike>(
  (value) => typeof (value as Partial<TimestampLike> | null)?.toMillis === "function",
  "Expected a Firestore Timestamp.",
);

const LatLng = z.object({ lat: z.number(), lng: z.number() });
const Amount = z.object({ amount: z.number().int(), currency: z.string() });
const CourierRef = z.object({ uid: z.string(), name: z.string().nullable() });

/** Why an order needs a person (`attention.reason`); `message` is a fixed sentence for it. */
export const ATTENTION_REASONS = ["payment-settlement-failed", "payment-mismatch", "no-courier", "no-pickup-location", "stuck-in-state"] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];
export const Attention = z.object({ reason: z.enum(ATTENTION_REASONS), message: z.string(), since: FirestoreTimestamp });
export type Attention = z.infer<typeof Attention>;

/** One entry of `orders/{id}.history`: every move, who made it and why. */
export const OrderHistoryEntry = z.object({
  at: FirestoreTimestamp,
  /** The actor's uid, or the system part (`payments`, `dispatch`, ...). */
  by: z.string().nullable(),
  byKind: z.enum(ACTOR_KINDS),
  from: z.enum(ORDER_STATES).nullable(),
  to: z.enum(ORDER_STATES),
  why: z.string(),
});

/** Orders written before tax classes (contract 1.1.0) have no per-line tax nor `breakdown.taxes`. */
const StoredPricedLine = PricedLine.partial({ taxClass: true, discountShare: true, tax: true });
const StoredPriceBreakdown = PriceBreakdown.extend({ lines: z.array(StoredPricedLine), taxes: PriceBreakdown.shape.taxes.optional() });

/** `orders/{orderId}`: read by its customer, the restaurant's staff, the assigned courier. */
export const OrderDocument = z.object({
  customerUid: z.string().nullable(),
  /** All of the customer the kitchen and the courier see before pickup. */
  customerFirstName: z.string().nullable(),
  /** The drop-off point rounded to about 100 m; the address is in `private/contact`. */
  dropoff: LatLng,
  restaurantId: z.string(),
  restaurantName: z.string(),
  lines: z.array(StoredPricedLine),
  breakdown: StoredPriceBreakdown,
  total: Amount,
  promoCode: z.string().nullable(),
  paymentMethod: z.enum(PAYMENT_METHODS),
  payment: z.object({ provider: z.enum(["stripe", "cash"]), status: z.string(), intentId: z.string().nullable() }),
  status: z.enum(ORDER_STATES),
  /** Grows by one with every move: a listener may drop a snapshot older than the one it has. */
  version: z.number().int(),
  /** Card orders: pay before this or the order expires. */
  payBefore: FirestoreTimestamp.nullable().optional(),
  /** Until the restaurant accepts: it must accept before this or the order is cancelled. */
  acceptBy: FirestoreTimestamp.nullable().optional(),
  history: z.array(OrderHistoryEntry),
  /** The checkout call's correlation id: quote it to support. */
  correlationId: z.string(),
  /** Once a courier accepted the delivery. */
  courier: CourierRef.optional(),
  dispatch: z.object({ status: z.string() }).optional(),
  cancellation: z.object({ by: z.string(), reason: z.string().nullable() }).optional(),
  rejection: z.object({ reason: z.string().nullable() }).optional(),
  attention: Attention.optional(),
  createdAt: FirestoreTimestamp,
  updatedAt: FirestoreTimestamp,
});
export type OrderDocument = z.infer<typeof OrderDocument>;

/** `users/{uid}`: the user's own profile, with their notification preferences once set. */
export const ProfileDocument = UserProfile.extend({
  /** Staff: the restaurants they work for (mirror of the claim). */
  restaurantIds: z.array(z.string()).optional(),
  notificationPreferences: StoredNotificationPreferences.optional(),
  /** Seconds; a staff, courier or admin session signed in before this must sign in again. */
  sessionsValidAfter: z.number().optional(),
});
export type ProfileDocument = z.infer<typeof ProfileDocument>;

/** `couriers/{uid}.offer`: a delivery offered to this courier, open until `expiresAt`. */
export const CourierOffer = z.object({
  orderId: z.string(),
  restaurantId: z.string(),
  restaurantName: z.string().nullable(),
  pickup: LatLng.nullable(),
  dropoff: LatLng.nullable(),
  expiresAt: FirestoreTimestamp,
});
export type CourierOffer = z.infer<typeof CourierOffer>;

/** `couriers/{uid}`: the courier's duty state, their open offer and the order they carry. */
export const CourierDocument = z.object({
  uid: z.string(),
  name: z.string().nullable(),
  available: z.boolean(),
  location: LatLng.optional(),
  offer: CourierOffer.nullable().optional(),
  activeOrderId: z.string().nullable().optional(),
});
export type CourierDocument = z.infer<typeof CourierDocument>;

/** `restaurantBoards/{restaurantId}/openOrders/{orderId}`: one entry per open order, for staff. */
export const RestaurantBoardEntry = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATES),
  version: z.number().int(),
  customerFirstName: z.string().nullable(),
  items: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
  total: Amount.nullable(),
  paymentMethod: z.enum(PAYMENT_METHODS).nullable(),
  placedAt: FirestoreTimestamp.nullable(),
  courier: CourierRef.nullable(),
  dispatchStatus: z.string().nullable(),
  attention: Attention.nullable(),
  updatedAt: FirestoreTimestamp,
});
export type RestaurantBoardEntry = z.infer<typeof RestaurantBoardEntry>;

/** Additive figures of a report: a count or an amount in minor units, absent when zero. */
const Figure = z.number().int().optional();

/** `restaurantReports/{restaurantId}/days/{YYYY-MM-DD}`: a restaurant's UTC day; staff of it and admins read. */
export const RestaurantDayReport = z.object({
  restaurantId: z.string(),
  day: z.string(),
  /** Orders placed (created that day). */
  orders: Figure,
  delivered: Figure,
  rejected: Figure,
  cancelled: Figure,
  /** Totals of orders accepted and not given up since. */
  revenue: Figure,
  refunds: Figure,
  refundedAmount: Figure,
  /** Average accept time: `acceptMs / accepted` (placed to accepted). */
  acceptMs: Figure,
  accepted: Figure,
  /** Average prepare time: `prepareMs / prepared` (accepted to ready). */
  prepareMs: Figure,
  prepared: Figure,
  /** Units ordered per item: sort by `quantity` for the top items. */
  items: z.record(z.string(), z.object({ name: z.string().optional(), quantity: z.number().int() })).optional(),
});
export type RestaurantDayReport = z.infer<typeof RestaurantDayReport>;

const PaymentFigures = z.object({ capturedCount: Figure, capturedAmount: Figure, refundedCount: Figure, refundedAmount: Figure, failedCount: Figure });

/** `paymentReports/{YYYY-MM-DD}/shards/{n}`: one of a day's payment shards (admins read); the day is their sum. */
export const PaymentReportShard = z.object({
  day: z.string(),
  shard: z.number().int(),
  card: z.record(z.string(), PaymentFigures).optional(),
  cash: z.record(z.string(), PaymentFigures).optional(),
});
export type PaymentReportShard = z.infer<typeof PaymentReportShard>;
