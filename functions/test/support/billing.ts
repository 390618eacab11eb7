/**
 * Fixtures for receipts and invoices: a restaurant with the seller's legal details, orders of
 * its customers written as delivered (their `orders.v1.delivered` event published as the outbox
 * would), the documents HTTP function and in-process callers of the invoice service.
 */
import { randomUUID } from "node:crypto";
import type { LegalParty } from "../../src/contract/billing";
import { publish } from "../../src/shared/pubsub";
import { TOPICS } from "../../src/shared/topics";
import { restaurantWithStock } from "./checkout";
import { admin, functionUrl } from "./emulators";

export const SELLER: LegalParty = { legalName: "Cocina de Prueba S.L.", address: { line1: "Calle Mayor 1", city: "Madrid", postalCode: "28013", country: "ES" }, taxId: "ESB12345678" };
export const BUYER: LegalParty = { legalName: "Comprador Ejemplo S.A.", address: { line1: "Gran Vía 2", line2: "Planta 3", city: "Madrid", postalCode: "28013", country: "ES" }, taxId: "ESA87654321" };

/** A published restaurant whose catalog carries the seller's legal details. */
export async function sellingRestaurant(legal: LegalParty | null = SELLER): Promise<string> {
  const { restaurantId } = await restaurantWithStock(5);
  if (legal) await admin().db.doc(`restaurants/${restaurantId}`).update({ legal });
  return restaurantId;
}

/** Writes an order of `customerUid` at `restaurantId` in `status` (delivered an hour ago), as the workflow leaves it. */
export async function writtenOrder(restaurantId: string, customerUid: string, status = "delivered"): Promise<string> {
  const { Timestamp } = await import("firebase-admin/firestore");
  const orderId = `bill-${randomUUID()}`;
  const deliveredAt = Timestamp.fromMillis(Date.parse("2026-11-30T12:00:00Z"));
  // Priced as checkout prices with tax classes (checkout/taxes.ts): food at 10 %, drinks at 21 %.
  const lines = [
    { itemId: "limited", name: "Limited dish", quantity: 2, unitPrice: 1000, modifiers: [], lineTotal: 2000, taxClass: "food", discountShare: 0, tax: 200 },
    { itemId: "sangria", name: "Sangría", quantity: 1, unitPrice: 450, modifiers: [{ groupId: "size", optionId: "big", name: "Jarra", priceDelta: 50 }], lineTotal: 500, taxClass: "drinks", discountShare: 0, tax: 105 },
  ];
  const taxes = [
    { taxClass: "food", rateBps: 1000, taxable: 2000, tax: 200 },
    { taxClass: "drinks", rateBps: 2100, taxable: 500, tax: 105 },
  ];
  const breakdown = { currency: "EUR", lines, subtotal: 2500, discount: 0, deliveryFee: 199, tax: 305, taxes, tip: 100, total: 3104, distanceKm: 1.2 };
  await admin().db.doc(`orders/${orderId}`).set({
    customerUid,
    restaurantId,
    restaurantName: "Stock Test Kitchen",
    status,
    version: 7,
    lines,
    breakdown,
    total: { amount: breakdown.total, currency: "EUR" },
    // Cash: a card order would send payments to settle a PaymentIntent this fixture never made.
    paymentMethod: "cash",
    history: status === "delivered" ? [{ from: "picked_up", to: "delivered", at: deliveredAt, by: "courier" }] : [],
    createdAt: Timestamp.fromMillis(deliveredAt.toMillis() - 3_600_000),
  });
  return orderId;
}

/** Publishes the order's `orders.v1.delivered` event (a new event id each time: a late duplicate, not a redelivery). */
export async function publishDelivered(orderId: string, restaurantId: string, customerUid: string): Promise<void> {
  const eventId = randomUUID();
  const message = { eventId, type: "orders.v1.delivered", orderId, version: 7, from: "picked_up", to: "delivered", restaurantId, customerUid, courierUid: null };
  await publish(TOPICS.orderEvents, message, { eventId, type: message.type, orderId, correlationId: randomUUID() });
}

/** GETs a document's PDF from billing-documents; `token` null sends no Authorization header. */
export async function fetchDocument(path: string, token: string | null): Promise<Response> {
  return fetch(`${functionUrl("billing-documents")}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}
