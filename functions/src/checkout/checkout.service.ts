/**
 * Checkout: one idempotent request turns a cart into an order.
 *   1. claim the client's idempotency key (a retry returns the first result);
 *   2. price from the catalog, never from client numbers;
 *   3. in one transaction: reserve stock, use the promo code, create the order;
 *   4. start the payment (card: a PaymentIntent with manual capture) and schedule the
 *      reservation's expiry; if the payment cannot start, undo step 3.
 */
import type { DocumentReference } from "firebase-admin/firestore";
import { CheckoutRequest, type CheckoutResponse } from "../contract/checkout";
import type { UserProfile } from "../contract/profile";
import type { CallableImpl, Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { withIdempotencyKey } from "../shared/idempotency-keys";
import { log } from "../shared/log";
import { paymentWindowMinutes } from "../shared/params";
import { TASK_QUEUES } from "../shared/task-queues";
import { enqueueTask } from "../shared/tasks";
import { planReservation } from "../inventory/stock.service";
import { orderEventType, type OrderState } from "../orders/order-state";
import { planTransition, SYSTEM, writeOrderEvent } from "../orders/transition.service";
import { gatewayFor } from "../payments/gateway";
import { priceCheckout, type PricingItem, type PricingRestaurant } from "./pricing";
import { planReleaseOrderHolds } from "./order-holds";
import { loadPromotion, planPromotionUse } from "./promotions.service";

const CHECKOUT_TRANSACTION_ATTEMPTS = 20;

export const checkout: CallableImpl<CheckoutRequest, CheckoutResponse> = {
  input: CheckoutRequest,
  run: (request, caller) => {
    const { idempotencyKey, ...order } = request;
    return withIdempotencyKey(`checkout:${caller.uid}`, idempotencyKey, order, () => placeOrder(request, caller));
  },
};

async function placeOrder(request: CheckoutRequest, caller: Caller, now = new Date()): Promise<CheckoutResponse> {
  const uid = caller.uid!;
  const restaurantRef = db().collection(COLLECTIONS.restaurants).doc(request.restaurantId);
  const itemIds = [...new Set(request.lines.map((l) => l.itemId))];
  const [restaurantSnap, profileSnap, ...itemSnaps] = await db().getAll(
    restaurantRef,
    db().collection(COLLECTIONS.users).doc(uid),
    ...itemIds.map((id) => restaurantRef.collection(COLLECTIONS.items).doc(id)),
  );
  const restaurant = restaurantSnap.exists ? ({ id: restaurantSnap.id, ...restaurantSnap.data() } as PricingRestaurant) : undefined;
  const items = new Map<string, PricingItem>(
    itemSnaps.filter((s) => s.exists).map((s) => [s.id, { modifierGroups: [], tracksStock: false, ...s.data(), id: s.id } as unknown as PricingItem]),
  );
  const promo = request.promoCode ? await loadPromotion(request.promoCode, now) : undefined;
  const breakdown = priceCheckout(request, restaurant, items, promo, now);
  const profile = profileSnap.data() as Partial<UserProfile> | undefined;

  const { FieldValue, Timestamp } = firestoreValues();
  const orderRef = db().collection(COLLECTIONS.orders).doc();
  const card = request.paymentMethod === "card";
  const status: OrderState = card ? "awaiting_payment" : "placed";
  const payBefore = card ? new Date(now.getTime() + paymentWindowMinutes.value() * 60_000) : null;
  const stockLines = request.lines
    .map((line, index) => ({ line: index, restaurantId: request.restaurantId, itemId: line.itemId, name: items.get(line.itemId)!.name, quantity: line.quantity }))
    .filter((l) => items.get(l.itemId)!.tracksStock);

  await db().runTransaction(async (tx) => {
    const reserve = await planReservation(tx, orderRef.id, stockLines);
    const usePromo = request.promoCode ? await planPromotionUse(tx, request.promoCode, uid, orderRef.id) : () => undefined;
    reserve();
    usePromo();
    tx.create(orderRef, {
      customerUid: uid,
      customerName: profile?.displayName ?? null,
      customerEmail: profile?.email ?? null,
      customerPhone: profile?.phone ?? null,
      restaurantId: request.restaurantId,
      restaurantName: restaurant!.name,
      deliveryAddress: request.deliveryAddress,
      lines: breakdown.lines,
      breakdown,
      total: { amount: breakdown.total, currency: breakdown.currency },
      promoCode: request.promoCode ?? null,
      paymentMethod: request.paymentMethod,
      payment: { provider: card ? "stripe" : "cash", status: card ? "requires_action" : "pending_cash", intentId: null },
      status,
      version: 1,
      pickup: restaurant!.location,
      payBefore: payBefore ? Timestamp.fromDate(payBefore) : null,
      history: [{ at: Timestamp.fromDate(now), by: uid, byKind: "customer", from: null, to: status, why: "checkout", correlationId: caller.correlationId }],
      correlationId: caller.correlationId,
      createdAt: FieldValue.serverTimestamp(),
    });
    writeOrderEvent(tx, { id: orderRef.id, restaurantId: request.restaurantId, customerUid: uid, correlationId: caller.correlationId }, orderEventType(status), { version: 1, from: null, to: status });
    // In a rush for the last units, lock waits abort some attempts (the emulator's pessimistic
    // locking especially); more attempts, with the SDK's backoff between them, see them through.
  }, { maxAttempts: CHECKOUT_TRANSACTION_ATTEMPTS });
  log.info("checkout.order-created", { orderId: orderRef.id, total: breakdown.total, paymentMethod: request.paymentMethod, lines: request.lines.length });

  const gateway = await gatewayFor(request.paymentMethod);
  let authorization;
  try {
    authorization = await gateway.authorize({ orderId: orderRef.id, uid, email: profile?.email ?? null, amount: breakdown.total, currency: breakdown.currency });
  } catch (error) {
    await undoOrder(orderRef, "payment-start-failed");
    throw error;
  }
  await orderRef.update({ "payment.intentId": authorization.intentId });
  if (card) await enqueueTask(TASK_QUEUES.expireUnpaidOrder, { orderId: orderRef.id }, { id: `expire-${orderRef.id}`, scheduleDelaySeconds: paymentWindowMinutes.value() * 60 });

  return {
    orderId: orderRef.id,
    status: card ? "awaiting_payment" : "placed",
    breakdown,
    payBefore: payBefore?.toISOString() ?? null,
    payment: authorization.sheet,
  };
}

/** Compensation when the payment cannot even start: give back stock and promo, close the order. */
async function undoOrder(orderRef: DocumentReference, reason: string): Promise<void> {
  await db().runTransaction(async (tx) => {
    const order = await tx.get(orderRef);
    const release = await planReleaseOrderHolds(tx, orderRef.id, reason);
    release();
    const { fields } = planTransition(tx, order, "payment_failed", SYSTEM.payments, reason);
    tx.update(orderRef, { ...fields, "payment.status": "failed", failureReason: reason });
  });
  log.warn("checkout.order-undone", { orderId: orderRef.id, reason });
}
