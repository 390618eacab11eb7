/**
 * A delivery in progress, as the courier's app reports it and the customer's app follows it:
 * live position and ETA between pickup and delivery, and the cash the courier collects at the
 * door. Zod only.
 *
 * The customer listens to `deliveryTracking/{orderId}` (DeliveryTrackingDocument): it exists
 * only while the order is `picked_up`, is readable only by the order's customer, its courier and
 * admins, and is deleted when the order is delivered or given up.
 */
import { z } from "zod";
import { FirestoreTimestamp } from "./documents.js";
import { GeoPoint, Id, Money } from "./primitives.js";

/** The worst GPS accuracy a report may claim; a fix vaguer than this says nothing useful. */
export const MAX_LOCATION_ACCURACY_METERS = 1000;

export const ReportLocationRequest = z.strictObject({
  orderId: Id,
  location: GeoPoint,
  /** The fix's horizontal accuracy (68% radius), as the platform reports it. */
  accuracyMeters: z.number().positive().max(MAX_LOCATION_ACCURACY_METERS),
  /** When the device took the fix, epoch milliseconds. Not in the future; not older than TRACKING_MAX_AGE_SECONDS. */
  recordedAt: z.number().int().positive(),
});
export type ReportLocationRequest = z.infer<typeof ReportLocationRequest>;

export const ReportLocationResponse = z.object({
  orderId: z.string(),
  /** Report again in this many seconds: the interval that keeps the position fresh and the battery alive. */
  nextReportInSeconds: z.number().int(),
  /** Straight-line distance to the drop-off, metres; null when the order has no drop-off point. */
  distanceMeters: z.number().int().nullable(),
  /** Seconds to the door at COURIER_SPEED_KMH; null with distanceMeters. */
  etaSeconds: z.number().int().nullable(),
});
export type ReportLocationResponse = z.infer<typeof ReportLocationResponse>;

/** `deliveryTracking/{orderId}`: one small document per delivery under way, overwritten per report. */
export const DeliveryTrackingDocument = z.object({
  orderId: z.string(),
  courierUid: z.string(),
  position: z.object({ lat: z.number(), lng: z.number() }),
  accuracyMeters: z.number(),
  recordedAt: FirestoreTimestamp,
  receivedAt: FirestoreTimestamp,
  distanceMeters: z.number().int().nullable(),
  etaSeconds: z.number().int().nullable(),
  /** When the courier should be at the door, from the last report. */
  etaAt: FirestoreTimestamp.nullable(),
});
export type DeliveryTrackingDocument = z.infer<typeof DeliveryTrackingDocument>;

/**
 * A cash order's payment (`orders/{id}.payment.status` with provider `cash`). Moves only along
 * CASH_PAYMENT_TRANSITIONS:
 *
 *   pending_cash -> collected   the assigned courier recorded what they took at the door
 *   pending_cash -> canceled    the order ended before delivery: nothing is owed
 */
export const CASH_PAYMENT_STATES = ["pending_cash", "collected", "canceled"] as const;
export type CashPaymentState = (typeof CASH_PAYMENT_STATES)[number];
export const CASH_PAYMENT_TRANSITIONS: readonly { from: CashPaymentState; to: CashPaymentState; by: "courier" | "order" }[] = [
  { from: "pending_cash", to: "collected", by: "courier" },
  { from: "pending_cash", to: "canceled", by: "order" },
];

export const RecordCashCollectionRequest = z.strictObject({
  orderId: Id,
  /** What the courier took at the door, in minor units of the order's currency (change already given back). */
  collected: Money,
});
export type RecordCashCollectionRequest = z.infer<typeof RecordCashCollectionRequest>;

export const RecordCashCollectionResponse = z.object({
  orderId: z.string(),
  paymentStatus: z.enum(CASH_PAYMENT_STATES),
  /** The order's total, what was due. */
  due: z.number().int(),
  collected: z.number().int(),
  /** collected - due: negative when short, positive when over. */
  difference: z.number().int(),
});
export type RecordCashCollectionResponse = z.infer<typeof RecordCashCollectionResponse>;

/**
 * `cashReconciliations/{courierUid}_{day}_{currency}`: a courier's cash for one day (the day of
 * delivery in CASH_DAY_TIME_ZONE), per order and in total. `flagged` when any order's collection
 * differs from its total: `short` and `over` are the sums of the differences each way. The
 * courier reads their own; admins read all (`where("flagged", "==", true)`, newest day first).
 */
export const CashReconciliationDocument = z.object({
  courierUid: z.string(),
  day: z.string(),
  currency: z.string(),
  /** Per delivered cash order: its total, and what the courier recorded (null: not yet). */
  orders: z.record(z.string(), z.object({ expected: z.number().int(), collected: z.number().int().nullable() })),
  expected: z.number().int(),
  collected: z.number().int(),
  /** Delivered orders whose cash the courier has not recorded yet. */
  unrecordedOrders: z.number().int(),
  short: z.number().int(),
  over: z.number().int(),
  flagged: z.boolean(),
  /** When the day first showed a difference (while flagged). */
  flaggedAt: FirestoreTimestamp.nullable().optional(),
});
export type CashReconciliationDocument = z.infer<typeof CashReconciliationDocument>;
