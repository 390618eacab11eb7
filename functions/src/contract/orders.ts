/**
 * The order workflow as the apps drive it: restaurant staff move an order through the kitchen,
 * couriers take and deliver it, customers may cancel before the restaurant accepts, admins may
 * cancel or refund at any point the state table allows. Every move answers with the order's
 * new state or `failed-precondition` (reason `invalid-transition`, `not-your-move`,
 * `offer-expired`, ...) and leaves the order unchanged; someone else's order answers
 * `permission-denied`.
 *
 * Clients watch `orders/{orderId}` (customer, staff, assigned courier), staff watch
 * `restaurantBoards/{restaurantId}/openOrders`, couriers watch `couriers/{uid}` for offers.
 */
import { z } from "zod";
import { GeoPoint, Id, SafeText } from "./primitives.js";

/*
 * Reasons are codes, never free text: the customer is told a fixed sentence per code in their
 * language, so nobody can put words of their own into a push or an SMS sent in our name.
 */
export const REJECT_REASONS = ["out-of-stock", "kitchen-closed", "too-busy", "cannot-deliver-there", "other"] as const;
export const CUSTOMER_CANCEL_REASONS = ["changed-mind", "ordered-by-mistake", "taking-too-long", "other"] as const;
export const ADMIN_REASONS = ["customer-request", "restaurant-request", "suspected-fraud", "payment-problem", "other"] as const;
export type OrderReason = (typeof REJECT_REASONS)[number] | (typeof CUSTOMER_CANCEL_REASONS)[number] | (typeof ADMIN_REASONS)[number];

export const RestaurantOrderAction = z.strictObject({
  orderId: Id,
  action: z.enum(["accept", "reject", "preparing", "ready"]),
  /** Why the restaurant rejects; the customer is told a fixed sentence for it. */
  reason: z.enum(REJECT_REASONS).optional(),
});
export type RestaurantOrderAction = z.infer<typeof RestaurantOrderAction>;

export const CancelOrderRequest = z.strictObject({ orderId: Id, reason: z.enum(CUSTOMER_CANCEL_REASONS).optional() });
export type CancelOrderRequest = z.infer<typeof CancelOrderRequest>;

export const AdminOrderAction = z.strictObject({
  orderId: Id,
  action: z.enum(["cancel", "refund"]),
  /** Recorded in the order (`cancellation`/`refund`), its history and the audit log. */
  reason: z.enum(ADMIN_REASONS),
  /** For staff and admins only: kept in the audit log, never in the order or any message. */
  note: SafeText({ multiline: true }).min(1).max(300).optional(),
});
export type AdminOrderAction = z.infer<typeof AdminOrderAction>;

export const CourierOrderAction = z.strictObject({
  orderId: Id,
  action: z.enum(["accept", "decline", "picked_up", "delivered"]),
});
export type CourierOrderAction = z.infer<typeof CourierOrderAction>;

export const CourierStatusRequest = z.strictObject({
  /** Whether the courier takes new deliveries. A delivery in progress continues either way. */
  available: z.boolean(),
  location: GeoPoint.optional(),
});
export type CourierStatusRequest = z.infer<typeof CourierStatusRequest>;

export const OrderActionResponse = z.object({ orderId: z.string(), status: z.string() });
export type OrderActionResponse = z.infer<typeof OrderActionResponse>;

export const CourierStatusResponse = z.object({ available: z.boolean() });
export type CourierStatusResponse = z.infer<typeof CourierStatusResponse>;
