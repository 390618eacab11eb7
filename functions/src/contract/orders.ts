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
import { GeoPoint, Id, SafeText } from "./primitives";

const Reason = SafeText().min(1).max(300);

export const RestaurantOrderAction = z.strictObject({
  orderId: Id,
  action: z.enum(["accept", "reject", "preparing", "ready"]),
  /** Shown to the customer when the restaurant rejects. */
  reason: Reason.optional(),
});
export type RestaurantOrderAction = z.infer<typeof RestaurantOrderAction>;

export const CancelOrderRequest = z.strictObject({ orderId: Id, reason: Reason.optional() });
export type CancelOrderRequest = z.infer<typeof CancelOrderRequest>;

export const AdminOrderAction = z.strictObject({
  orderId: Id,
  action: z.enum(["cancel", "refund"]),
  /** Recorded in the order's history and the audit log. */
  reason: Reason,
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
