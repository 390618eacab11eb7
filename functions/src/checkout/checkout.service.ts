/**
 * Checkout: one idempotent request turns a cart into an order.
 *   1. claim the client's idempotency key (a retry returns the first result);
 *   2. price from the catalog, never from client numbers;
 *   3. in one transaction: judge the fraud rules (risk/: a refusal keeps nothing), reserve stock,
 *      use the promo code, create the order, and write its outbox event (which starts the
 *      payment window's clock: orders/order-events.service.ts);
 *   4. start the payment (card: a PaymentIntent with manual capture); if the payment cannot
 *      start for good, undo step 3. An order the rules held starts nothing: it waits, `held`,
 *      for an admin (risk/review.service.ts).
 *
 * The order's id comes from the idempotency key, so whatever happens after the commit (a
 * Stripe outage, a crash, a lease that ran out), a retry with the same key finds that order and
 * finishes what is left, and can never create a second order or a second PaymentIntent.
 */
import { createHash } from "node:crypto";
import type { DocumentData, DocumentReference } from "firebase-admin/firestore";
import { CheckoutRequest, type CheckoutResponse, type PriceBreakdown } from "../contract/checkout";
import type { UserProfile } from "../contract/profile";
import type { CallableImpl, Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { faultPoint } from "../shared/faults";
import { db, firestoreValues } from "../shared/firebase";
import { idempotencyKeyId, requestHash, withIdempotencyKey } from "../shared/idempotency-keys";
import { log } from "../shared/log";
import { acceptanceWindowMinutes, checkoutContentionBudgetMs, checkoutItemMaxInFlight, checkoutItemMaxQueued, paymentWindowMinutes } from "../shared/params";
import { runTransactionWithin } from "../shared/contended-transaction";
import { InFlightLimiter, ShedError } from "../shared/load-shedding";
import { inventoryId } from "../catalog/catalog.model";
import { planReservation, requireInStock } from "../inventory/stock.service";
import { CONTACT, contactOf, orderCustomerFields, PRIVATE } from "../orders/personal-data";
import { GIVEN_UP_STATES, orderEventType, type OrderState } from "../orders/order-state";
import { planTransition, SYSTEM, writeOrderEvent } from "../orders/transition.service";
import { gatewayFor, requirePaymentMethodAvailable } from "../payments/gateway";
import { priceCheckout } from "./pricing";
import { cartCatalogOf, cartRefs, checkoutLimits, stockLinesOf, verifiedPhoneOf } from "./cart";
import { planReleaseOrderHolds } from "./order-holds";
import { planOpenCashOrdersCheck, requireCashAllowed, requireCashOrderRoom } from "./cash-limits";
import { loadPromotion, planPromotionUse } from "./promotions.service";
import { currentTraceparent } from "../shared/tracing";
import { assessCheckout, peekCheckoutRisk, recordRefusal, RiskRefusal } from "../risk/checkout-risk.service";

/**
 * Load shedding on a hot item: per instance, a few checkouts of one stock-tracked item at a time,
 * a bounded queue behind them, and a time budget for waiting and retrying. Past it a checkout is
 * refused at once, having changed nothing, with a hint of when to come back.
 */
const itemTurns = new InFlightLimiter(() => ({
  maxInFlight: checkoutItemMaxInFlight.value(),
  maxQueued: checkoutItemMaxQueued.value(),
  maxWaitMs: checkoutContentionBudgetMs.value(),
}));
/**
 * An account's cash checkouts all read and write its guard document (cash-limits.ts): side by
 * side they only lock each other out, so in one instance they take turns, one at a time.
 */
const cashGuardTurns = new InFlightLimiter(() => ({
  maxInFlight: 1,
  maxQueued: checkoutItemMaxQueued.value(),
  maxWaitMs: checkoutContentionBudgetMs.value(),
}));
/** A turn frees in about one transaction's time; the budget ran out for a reason that lasts longer. */
const RETRY_AFTER_BUSY_SECONDS = 1;
const RETRY_AFTER_CONTENDED_SECONDS = 2;

const itemBusy = () =>
  new DomainError("resource-exhausted", "Many people are ordering this item right now. Try again in a moment.", {
    reason: "item-busy",
    retryAfterSeconds: RETRY_AFTER_BUSY_SECONDS,
  });
const checkoutContended = () =>
  new DomainError("unavailable", "Many people are ordering this item right now. Try again in a moment.", {
    reason: "checkout-contended",
    retryAfterSeconds: RETRY_AFTER_CONTENDED_SECONDS,
  });

export const checkout: CallableImpl<CheckoutRequest, CheckoutResponse> = {
  input: CheckoutRequest,
  run: (request, caller) => {
    // Card payments known to be down (Stripe's breaker open) are refused before anything is kept.
    requirePaymentMethodAvailable(request.paymentMethod);
    const { idempotencyKey, ...order } = request;
    const scope = `checkout:${caller.uid}`;
    return withIdempotencyKey(scope, idempotencyKey, order, () => placeOrder(request, caller, { scope, hash: requestHash(order) }));
  },
};

/** The id of the order a checkout key makes: the same key always names the same order. */
export function orderIdFor(scope: string, idempotencyKey: string): string {
  return createHash("sha256").update(`order\n${scope}\n${idempotencyKey}`).digest("base64url").slice(0, 20);
}

interface CheckoutKey {
  scope: string;
  /** The request's hash, kept on the order: the same key with another cart is refused. */
  hash: string;
}

async function placeOrder(request: CheckoutRequest, caller: Caller, key: CheckoutKey, now = new Date()): Promise<CheckoutResponse> {
  const uid = caller.uid!;
  const orderRef = db().collection(COLLECTIONS.orders).doc(orderIdFor(key.scope, request.idempotencyKey));
  // The key's order comes in the same read: a retry finds it without another round trip.
  const [earlier, profileSnap, ...cartSnaps] = await db().getAll(orderRef, db().collection(COLLECTIONS.users).doc(uid), ...cartRefs(request));
  if (earlier.exists) return resumeOrder({ ref: orderRef, data: earlier.data()! }, key);
  const verifiedPhone = verifiedPhoneOf(caller);
  if (request.paymentMethod === "cash") requireCashAllowed(verifiedPhone);
  const { restaurant, items } = cartCatalogOf(cartSnaps);
  const promo = request.promoCode ? await loadPromotion(request.promoCode, now) : undefined;
  const breakdown = priceCheckout(request, restaurant, items, promo, now, checkoutLimits());
  const profile = profileSnap.data() as Partial<UserProfile> | undefined;
  const contact = contactOf(profile, request.deliveryAddress);

  const { FieldValue, Timestamp } = firestoreValues();
  const card = request.paymentMethod === "card";
  const accountCreatedAtMs = (profileSnap.get("createdAt") as { toMillis(): number } | undefined)?.toMillis();
  // The fraud rules' counters, read without locks; the transaction reads again those near their limit.
  const riskPeek = await peekCheckoutRisk({ uid, deliveryAddress: request.deliveryAddress, deviceId: request.deviceId, total: breakdown.total, accountCreatedAtMs }, now.getTime());
  const stockLines = stockLinesOf(request, items);

  // The budget runs from here: waiting for a turn and retrying the transaction share it.
  const deadline = Date.now() + checkoutContentionBudgetMs.value();
  const hotItems = stockLines.map((l) => inventoryId(l.restaurantId, l.itemId));
  const reserveAndCreate = () => runTransactionWithin(deadline, async (tx) => {
    // A request racing us with the same key (after a lease ran out) may have created it.
    if ((await tx.get(orderRef)).exists) return undefined;
    const risk = await assessCheckout(tx, riskPeek);
    if (risk.decision === "refuse") throw new RiskRefusal(risk.checks);
    // Held: neither paid for nor sent to the restaurant until an admin approves (no clocks run).
    const held = risk.decision === "hold";
    const status: OrderState = held ? "held" : card ? "awaiting_payment" : "placed";
    const payBefore = card && !held ? new Date(now.getTime() + paymentWindowMinutes.value() * 60_000) : null;
    const markCash = card ? () => undefined : await planOpenCashOrdersCheck(tx, uid, now);
    const reserve = await planReservation(tx, orderRef.id, stockLines);
    const usePromo = request.promoCode ? await planPromotionUse(tx, request.promoCode, { uid, verifiedPhone }, orderRef.id) : () => undefined;
    markCash();
    reserve();
    usePromo();
    const document = {
      customerUid: uid,
      ...orderCustomerFields(contact),
      restaurantId: request.restaurantId,
      restaurantName: restaurant!.name,
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
      acceptBy: status === "placed" ? Timestamp.fromMillis(now.getTime() + acceptanceWindowMinutes.value() * 60_000) : null,
      history: [{ at: Timestamp.fromDate(now), by: uid, byKind: "customer", from: null, to: status, why: "checkout", correlationId: caller.correlationId }],
      correlationId: caller.correlationId,
      // The order's trace: every later step of the order continues it (shared/tracing.ts).
      traceparent: currentTraceparent() ?? null,
      checkoutKey: idempotencyKeyId(key.scope, request.idempotencyKey),
      checkoutHash: key.hash,
      createdAt: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    };
    tx.create(orderRef, document);
    // Contact data where only the customer and admins read it (orders/personal-data.ts).
    tx.create(orderRef.collection(PRIVATE).doc(CONTACT), contact);
    writeOrderEvent(tx, { id: orderRef.id, restaurantId: request.restaurantId, customerUid: uid, correlationId: caller.correlationId, traceparent: document.traceparent }, orderEventType(status), { version: 1, from: null, to: status });
    risk.record(tx, orderRef.id, caller.correlationId);
    return document;
  }, checkoutContended);
  // Items not tracked have no shards to fight over: only tracked ones take turns, and a sold-out
  // item is refused before its turn, not after a wait.
  if (hotItems.length > 0) await requireInStock(stockLines);
  const withItemTurns = () => (hotItems.length === 0 ? reserveAndCreate() : itemTurns.run(hotItems, reserveAndCreate));
  const { value: created, attempts } = await (card ? withItemTurns() : cashGuardTurns.run([uid], withItemTurns)).catch(async (error: unknown) => {
    if (error instanceof RiskRefusal) {
      // Nothing was kept; the decision is, with the rules that refused it.
      await recordRefusal(error, uid, caller.correlationId);
      log.warn("checkout.risk-refused", { orderId: orderRef.id, rules: error.checks.filter((c) => c.tripped).map((c) => c.rule) });
      throw error;
    }
    const shed = error instanceof ShedError ? error.shedCause : error instanceof DomainError && error.extra.reason === "checkout-contended" ? "budget-spent" : undefined;
    if (!shed) throw error;
    // Sold out, or at the cash cap, while this request waited: that is the answer, not "try again".
    await requireInStock(stockLines);
    if (!card) await requireCashOrderRoom(uid);
    log.warn("checkout.shed", { orderId: orderRef.id, cause: shed });
    throw error instanceof ShedError ? (hotItems.some((id) => error.key === id) ? itemBusy() : checkoutContended()) : error;
  });
  if (created) log.info("checkout.order-created", { orderId: orderRef.id, total: breakdown.total, paymentMethod: request.paymentMethod, lines: request.lines.length, attempts, status: created.status });
  await faultPoint("checkout.after-commit");
  return resumeOrder({ ref: orderRef, data: created ?? (await orderRef.get()).data()! }, key);
}

/** An order as checkout resumes it: what was just written, or what a retry read. */
interface OrderView {
  ref: DocumentReference;
  data: DocumentData;
}

/**
 * Finishes an order's checkout from wherever it stands: starts (or finds again: Stripe's
 * idempotency key is the order id) its payment and answers as the first request would have.
 */
async function resumeOrder({ ref, data: order }: OrderView, key: CheckoutKey): Promise<CheckoutResponse> {
  if (order.checkoutHash !== key.hash) {
    throw new DomainError("failed-precondition", "This idempotency key was used with a different request.", {
      reason: "idempotency-key-reused",
      fields: [{ path: "idempotencyKey", message: "Make a new key for a new request." }],
    });
  }
  const status = order.status as OrderState;
  const breakdown = order.breakdown as PriceBreakdown;
  const payBefore = (order.payBefore as { toDate(): Date } | null)?.toDate().toISOString() ?? null;
  const answered: CheckoutResponse["status"] = status === "held" || status === "awaiting_payment" ? status : "placed";
  const answer = (payment: CheckoutResponse["payment"]): CheckoutResponse => ({ orderId: ref.id, status: answered, breakdown, payBefore, payment });
  if (status === "payment_failed" && order.failureReason === "payment-start-failed") {
    throw new DomainError("failed-precondition", "The payment could not be started. Check out again.", { reason: "payment-start-failed" });
  }
  if (GIVEN_UP_STATES.includes(status)) {
    throw new DomainError("failed-precondition", `This checkout's order is already ${status.replace(/_/g, " ")}. Check out again.`, { reason: "order-closed" });
  }
  // Held for review, paid, or moving on: the order is the answer; there is nothing to pay now.
  if (status !== "awaiting_payment") return answer(null);
  const gateway = await gatewayFor(order.paymentMethod as "card" | "cash");
  let authorization;
  try {
    authorization = await gateway.authorize({ orderId: ref.id, uid: order.customerUid as string, amount: breakdown.total, currency: breakdown.currency, promoCode: order.promoCode as string | null });
  } catch (error) {
    // A passing outage leaves the order waiting: the client's retry with its key resumes it,
    // and the payment window's clock, already running, expires it otherwise.
    if (error instanceof DomainError && error.code === "unavailable") throw error;
    await undoOrder(ref, "payment-start-failed");
    throw error;
  }
  if ((order.payment as { intentId: string | null }).intentId !== authorization.intentId) await ref.update({ "payment.intentId": authorization.intentId });
  return answer(authorization.sheet);
}

/** Compensation when the payment cannot even start: give back stock and promo, close the order. */
async function undoOrder(orderRef: DocumentReference, reason: string): Promise<void> {
  await db().runTransaction(async (tx) => {
    const order = await tx.get(orderRef);
    if (order.get("status") !== "awaiting_payment") return;
    const release = await planReleaseOrderHolds(tx, orderRef.id, reason);
    release();
    const { fields } = planTransition(tx, order, "payment_failed", SYSTEM.payments, reason);
    tx.update(orderRef, { ...fields, "payment.status": "failed", failureReason: reason });
  });
  log.warn("checkout.order-undone", { orderId: orderRef.id, reason });
}
