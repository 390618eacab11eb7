/**
 * Fixtures for order-workflow tests. Each test gets a kitchen at a spot of its own on the map,
 * with its own staff and couriers, so couriers of one test are never offered another's orders.
 */
import { randomUUID } from "node:crypto";
import type { DocumentData } from "firebase/firestore";
import assert from "node:assert/strict";
import { OrderEventMessage } from "../../src/orders/order-event";
import { functionsAdmin } from "../../src/shared/firebase";
import { publish } from "../../src/shared/pubsub";
import { TOPICS } from "../../src/shared/topics";
import { CALLABLES } from "../../src/contract/callables";
import type { CheckoutResponse } from "../../src/contract/checkout";
import { confirmPayment, restaurantWithStock, STRIPE_DOUBLE } from "./checkout";
import { admin, signInWithRole, signUpWithPhone, waitForDocument, type AppClient } from "./emulators";

export interface Kitchen {
  restaurantId: string;
  itemId: string;
  location: { lat: number; lng: number };
  staff: AppClient;
  customer: AppClient;
}

/**
 * A published restaurant open around the clock, at a random spot, with 20 tracked units, and a
 * customer with a verified phone (so cash orders are open to them).
 */
export async function kitchen(): Promise<Kitchen> {
  const location = { lat: -40 + Math.random() * 80, lng: -150 + Math.random() * 300 };
  const { restaurantId, itemId } = await restaurantWithStock(20, { location });
  const [staff, customer] = await Promise.all([signInWithRole("staff", [restaurantId]), signUpWithPhone()]);
  return { restaurantId, itemId, location, staff, customer };
}

export function cart(k: Kitchen, paymentMethod: "card" | "cash", quantity = 2) {
  return {
    restaurantId: k.restaurantId,
    lines: [{ itemId: k.itemId, quantity }],
    deliveryAddress: { id: "home", label: "Home", line1: "1 Test Street", city: "Testville", postalCode: "00000", country: "ES", location: k.location },
    tip: 0,
    paymentMethod,
    idempotencyKey: randomUUID(),
  };
}

export interface PlacedOrder {
  orderId: string;
  intentId: string | null;
  correlationId: string;
  total: number;
}

/** Checks out and (for cards) confirms the payment; resolves once the order is `placed`. */
export async function placedOrder(k: Kitchen, paymentMethod: "card" | "cash" = "card", customer = k.customer): Promise<PlacedOrder> {
  const result = await customer.call<CheckoutResponse>(CALLABLES.placeOrder, cart(k, paymentMethod));
  const intentId = result.payment ? result.payment.paymentIntentClientSecret.split("_secret_")[0] : null;
  if (intentId) await confirmPayment(intentId, "authorized");
  const order = await waitForDocument(customer.firestore, `orders/${result.orderId}`, (d) => d?.status === "placed");
  return { orderId: result.orderId, intentId, correlationId: order.correlationId as string, total: result.breakdown.total };
}

/** A courier on duty at `location` (a few metres off, `offsetKm` further north). */
export async function courierAt(location: { lat: number; lng: number }, offsetKm = 0.1): Promise<AppClient> {
  const courier = await signInWithRole("courier");
  await courier.call(CALLABLES.updateCourierStatus, { available: true, location: { lat: location.lat + offsetKm / 111, lng: location.lng } });
  return courier;
}

/** Waits for `predicate` over the order as firebase-admin sees it. */
export async function orderWhere(orderId: string, predicate: (order: DocumentData) => boolean, timeoutMs = 45_000): Promise<DocumentData> {
  const deadline = Date.now() + timeoutMs;
  let last: DocumentData | undefined;
  while (Date.now() < deadline) {
    last = (await admin().db.doc(`orders/${orderId}`).get()).data();
    if (last && predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`Timed out waiting on order ${orderId}; last seen: ${JSON.stringify(last, null, 1)?.slice(0, 3000)}`);
}

/** Polls until `probe` resolves truthy. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Stripe double calls about one PaymentIntent. */
export async function intentCalls(intentId: string, action: "capture" | "cancel" | "refunds") {
  const requests = (await (await fetch(`${STRIPE_DOUBLE}/_double/requests`)).json()) as { method: string; path: string; params: Record<string, unknown> }[];
  if (action === "refunds") return requests.filter((r) => r.path === "/v1/refunds" && r.params.payment_intent === intentId);
  return requests.filter((r) => r.path === `/v1/payment_intents/${intentId}/${action}`);
}

/** The PaymentIntent as the Stripe double holds it. */
export async function intentAt(intentId: string): Promise<DocumentData> {
  return (await fetch(`${STRIPE_DOUBLE}/v1/payment_intents/${intentId}`, { headers: { authorization: "Bearer sk_test_local_double" } })).json() as Promise<DocumentData>;
}

export async function failStripe(rule: { method?: "POST" | "GET" | "DELETE"; path: string; status: number; count: number; afterEffect?: boolean }) {
  await fetch(`${STRIPE_DOUBLE}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ method: "POST", ...rule }) });
}

export async function resetStripeFailures() {
  await fetch(`${STRIPE_DOUBLE}/_double/reset`, { method: "POST" });
}

/** Runs a task handler's queue now, as if its delay had passed (the emulator honours no schedule). */
export async function runTaskNow(queue: string, data: unknown, correlationId: string) {
  await functionsAdmin().taskQueue(queue).enqueue({ correlationId, data });
}

/** The one outbox record of `type` for the order. */
export async function outboxEvent(orderId: string, type: string) {
  const events = await admin().db.collection("outbox").where("orderId", "==", orderId).where("type", "==", type).get();
  assert.equal(events.size, 1, `one ${type} event`);
  return events.docs[0].data();
}

/** Publishes an outbox record again, as a redelivery (same event id) or a late message (`eventId` given). */
export async function deliverAgain(record: FirebaseFirestore.DocumentData, eventId = record.eventId as string) {
  const message = OrderEventMessage.parse(record);
  await publish(TOPICS.orderEvents, { ...message, eventId }, { eventId, type: record.type as string, orderId: record.orderId as string, correlationId: record.correlationId as string });
}
