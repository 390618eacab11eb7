/**
 * A receipt for every delivered order. The `orders.v1.delivered` event creates
 * `receipts/{orderId}` and, in the same transaction, the notification request that emails it
 * to the customer (`receipts.v1.issued`, category `receipts`): a redelivered event finds the
 * receipt and does nothing, and the email cannot be lost between the two writes.
 */
import { COLLECTIONS } from "../shared/collections";
import { correlationId } from "../shared/context";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import type { SubscriberImpl } from "../shared/subscriber";
import { currentTraceparent } from "../shared/tracing";
import { OrderEventMessage } from "../orders/order-event";
import { documentContent, toRecord } from "./billing-document";

export const DELIVERED = "orders.v1.delivered";
/** The notification type of a receipt's email (templates.ts). */
export const RECEIPT_ISSUED = "receipts.v1.issued";
export const receiptRequestId = (orderId: string) => `receipt-${orderId}`;
export const receiptPdfPath = (orderId: string) => `/receipts/${orderId}.pdf`;

/** The number a receipt prints: the order's, since there is one receipt per order. */
export const receiptNumberOf = (orderId: string) => `R-${orderId}`;

/** Creates the order's receipt and asks for its email, unless it exists; true when it was created now. */
export async function issueReceipt(orderId: string): Promise<boolean> {
  const { FieldValue, Timestamp } = firestoreValues();
  const orderRef = db().collection(COLLECTIONS.orders).doc(orderId);
  const receiptRef = db().collection(COLLECTIONS.receipts).doc(orderId);
  const issuedAtMs = Date.now();
  const created = await db().runTransaction(async (tx) => {
    const [order, existing] = await Promise.all([tx.get(orderRef), tx.get(receiptRef)]);
    if (existing.exists || !order.exists || order.get("status") !== "delivered") return false;
    const restaurantId = order.get("restaurantId") as string;
    const customerUid = order.get("customerUid") as string;
    const [restaurant, customer] = await Promise.all([tx.get(db().collection(COLLECTIONS.restaurants).doc(restaurantId)), tx.get(db().collection(COLLECTIONS.users).doc(customerUid))]);
    const content = documentContent(orderId, order.data()!, restaurant.data() ?? {}, customer.get("locale") === "es" ? "es" : "en", issuedAtMs);
    tx.create(receiptRef, toRecord(content, { number: receiptNumberOf(orderId), issuedAt: Timestamp.fromMillis(issuedAtMs) }, Timestamp));
    tx.create(db().collection(COLLECTIONS.notificationRequests).doc(receiptRequestId(orderId)), {
      eventId: receiptRequestId(orderId),
      type: RECEIPT_ISSUED,
      orderId,
      audience: ["customer"],
      customerUid,
      restaurantId,
      courierUid: null,
      status: "pending",
      correlationId: correlationId(),
      traceparent: currentTraceparent() ?? null,
      createdAt: FieldValue.serverTimestamp(),
    });
    return true;
  });
  if (created) log.info("billing.receipt-issued", { orderId });
  return created;
}

export const onOrderEvent: SubscriberImpl<OrderEventMessage> = {
  schema: OrderEventMessage,
  async handle(event) {
    if (event.type !== DELIVERED) return;
    await issueReceipt(event.orderId);
  },
};
