/**
 * Fixtures for checkout tests: a restaurant of a test's own (so stock and hours are under its
 * control), carts against the demo catalog, and the Stripe double's control API.
 */
import { randomUUID } from "node:crypto";
import type { CheckoutRequest } from "../../src/contract/checkout";
import { restaurantDocument } from "../../src/catalog/catalog.model";
import { counterTotal } from "../../src/shared/sharded-counter";
import { setStockLevel } from "../../src/inventory/stock.service";
import { admin, randomPhone } from "./emulators";

export const STRIPE_DOUBLE = "http://127.0.0.1:12111";
export const SOL = { id: "home", label: "Home", line1: "Puerta del Sol 1", city: "Madrid", postalCode: "28013", country: "ES", location: { lat: 40.4168, lng: -3.7038 } };

/** A cart of the demo trattoria (open around the clock), paid as asked. */
/** One unit of `itemId`, cash, to Puerta del Sol, under a new idempotency key: the races' checkout. */
export function oneUnitCashOrder(restaurantId: string, itemId: string): CheckoutRequest {
  return {
    restaurantId,
    lines: [{ itemId, quantity: 1, modifiers: [] }],
    deliveryAddress: SOL,
    tip: 0,
    paymentMethod: "cash",
    idempotencyKey: randomUUID(),
  };
}

export function trattoriaCart(paymentMethod: "card" | "cash", extra: Partial<CheckoutRequest> = {}): Record<string, unknown> {
  return {
    restaurantId: "demo-restaurant-1",
    lines: [{ itemId: "carbonara", quantity: 2 }, { itemId: "margherita", quantity: 1, modifiers: [{ groupId: "size", optionIds: ["large"] }] }],
    deliveryAddress: SOL,
    tip: 150,
    paymentMethod,
    idempotencyKey: randomUUID(),
    ...extra,
  };
}

/** A published restaurant (near Sol unless told where) with one stock-tracked item holding `stock` units. */
export async function restaurantWithStock(stock: number, options: { open?: boolean; location?: { lat: number; lng: number } } = {}) {
  const restaurantId = `stock-${randomUUID()}`;
  const weekly = options.open === false ? {} : Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ open: "00:00", close: "24:00" }]]));
  await admin()
    .db.doc(`restaurants/${restaurantId}`)
    .set(
      restaurantDocument({
        name: "Stock Test Kitchen",
        cuisines: ["test"],
        location: options.location ?? SOL.location,
        address: "Sol",
        deliveryRadiusKm: 5,
        deliveryFee: 100,
        openingHours: { timeZone: "Europe/Madrid", weekly },
        currency: "EUR",
        published: true,
      }),
    );
  await admin().db.doc(`restaurants/${restaurantId}/categories/main`).set({ name: "Main", position: 0 });
  await admin()
    .db.doc(`restaurants/${restaurantId}/items/limited`)
    .set({ categoryId: "main", name: "Limited dish", price: { amount: 1000, currency: "EUR" }, modifierGroups: [], available: true, tracksStock: true, imageUrls: [] });
  await setStockLevel(restaurantId, "limited", stock);
  return { restaurantId, itemId: "limited" };
}

/**
 * A caller for service-level checkouts (no Functions emulator): a new customer whose ID token
 * carries a verified phone, as cash orders and per-customer promo codes need.
 */
export function customerCaller(prefix = "customer", phone: string | null = randomPhone()) {
  return { uid: `${prefix}-${randomUUID()}`, role: "customer" as const, claims: phone ? { phone_number: phone } : {}, correlationId: randomUUID() };
}

export function stockLeft(restaurantId: string, itemId: string): Promise<number> {
  return counterTotal(admin().db.doc(`inventory/${restaurantId}__${itemId}`), 10);
}

export async function ordersOf(uid: string) {
  return (await admin().db.collection("orders").where("customerUid", "==", uid).get()).docs;
}

export interface DoubleRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  params: { metadata?: { orderId?: string }; [name: string]: unknown };
}

export async function doubleRequests(): Promise<DoubleRequest[]> {
  return (await fetch(`${STRIPE_DOUBLE}/_double/requests`)).json() as Promise<never>;
}

/**
 * Confirms an intent as PaymentSheet would. `paymentMethod` names the card (default
 * `pm_card_visa`): the double gives each payment method id its own fixed card fingerprint.
 */
export async function confirmPayment(intentId: string, outcome: "authorized" | "declined", paymentMethod?: string) {
  const response = await fetch(`${STRIPE_DOUBLE}/_double/payment_intents/${intentId}/confirm`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ outcome, ...(paymentMethod ? { paymentMethod } : {}) }),
  });
  return (await response.json()) as { delivered: number | null; event: { id: string } };
}
