/**
 * The cart quote: what checkout would charge for a cart, read-only. It prices through the
 * same path as checkout (cart.ts reads, pricing.ts `priceCart`), so the breakdown is the one
 * checkout will store. What checkout refuses but a cart can be fixed for (the restaurant
 * closed, an item unavailable or short of stock, a promo code that does not apply, a payment
 * method not allowed) comes back as a result to show, not as an error; a malformed request or
 * a cart that cannot be priced at all (unknown restaurant or item, outside the delivery area,
 * bad modifiers, a tip or total over the limits) is refused as checkout refuses it.
 */
import { QuoteRequest, type QuoteResponse, type QuoteWarning } from "../contract/checkout";
import type { CallableImpl, Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db } from "../shared/firebase";
import { lookAtCartStock } from "../inventory/stock.service";
import { paymentMethodsNow } from "../payments/gateway";
import { cartCatalogOf, cartRefs, checkoutLimits, stockLinesOf, verifiedPhoneOf } from "./cart";
import { cashRefusal } from "./cash-limits";
import { courierSpeedKmh } from "../shared/params";
import { estimateEta } from "./eta";
import { priceCart, type PricingPromo } from "./pricing";
import { loadPromotion, promotionUseRefusal } from "./promotions.service";

/** A tracked item with fewer units than this left after the cart is flagged `low-stock`. */
export const LOW_STOCK_UNITS = 5;

export const quoteCart: CallableImpl<QuoteRequest, QuoteResponse> = {
  input: QuoteRequest,
  run: (request, caller) => quote(request, caller),
};

async function quote(request: QuoteRequest, caller: Caller, now = new Date()): Promise<QuoteResponse> {
  const uid = caller.uid!;
  const verifiedPhone = verifiedPhoneOf(caller);
  const { restaurant, items } = cartCatalogOf(await db().getAll(...cartRefs(request)));
  const limits = checkoutLimits();
  // A code that cannot be loaded (unknown, expired) is a refused promo, and the cart is priced without it.
  const code = request.promoCode;
  let promo: PricingPromo | undefined;
  let promoRefusal: DomainError | undefined;
  if (code) {
    try {
      promo = await loadPromotion(code, now);
    } catch (error) {
      promoRefusal = promoRefusalOnly(error);
    }
  }
  let priced = priceCart(request, restaurant, items, promo, now, limits);
  promoRefusal ??= priced.promoRefusal;
  if (code && !promoRefusal) {
    // The customer's own limits on the code, as checkout's transaction will find them; refused,
    // the cart is priced as checkout would take it without the code.
    promoRefusal = await promotionUseRefusal(code, { uid, verifiedPhone });
    if (promoRefusal) priced = priceCart(request, restaurant, items, undefined, now, limits);
  }
  const { breakdown } = priced;

  const warnings: QuoteWarning[] = priced.refusals.filter((r) => r !== priced.promoRefusal).map((r) => warningOf(r, true));
  for (const look of await lookAtCartStock(stockLinesOf(request, items))) {
    if (look.refusal) warnings.push(warningOf(look.refusal, true));
    else if (look.available - look.line.quantity < LOW_STOCK_UNITS) {
      const message = `Only ${look.available} of ${look.line.name} left.`;
      warnings.push({ reason: "low-stock", message, fields: [{ path: `lines.${look.line.line}.quantity`, message }], blocksCheckout: false });
    }
  }

  const [openOrders, cash] = await Promise.all([
    db().collection(COLLECTIONS.restaurantBoards).doc(request.restaurantId).collection(COLLECTIONS.openOrders).count().get(),
    cashRefusal(uid, verifiedPhone),
  ]);
  const card = paymentMethodsNow();
  return {
    breakdown,
    promo: code
      ? { code, applied: !promoRefusal, discount: breakdown.discount, ...(promoRefusal ? { reason: promoRefusal.extra.reason, message: promoRefusal.message } : {}) }
      : null,
    warnings,
    canCheckout: !promoRefusal && !warnings.some((w) => w.blocksCheckout),
    eta: estimateEta({ prepMinutes: restaurant!.prepMinutes, distanceKm: breakdown.distanceKm, openOrders: openOrders.data().count, courierSpeedKmh: courierSpeedKmh.value() }),
    paymentMethods: [
      card.methods.includes("card")
        ? { method: "card", available: true }
        : { method: "card", available: false, reason: "payments-unavailable", message: "Card payments are unavailable for a moment.", ...(card.retryAfterSeconds ? { retryAfterSeconds: card.retryAfterSeconds } : {}) },
      cash ? { method: "cash", available: false, reason: cash.extra.reason, message: cash.message } : { method: "cash", available: true },
    ],
  };
}

/** A refusal about the promo code is a result of the quote; anything else is still an error. */
function promoRefusalOnly(error: unknown): DomainError {
  if (error instanceof DomainError && error.extra.fields?.some((f) => f.path === "promoCode")) return error;
  throw error;
}

function warningOf(refusal: DomainError, blocksCheckout: boolean): QuoteWarning {
  return { reason: refusal.extra.reason ?? "failed-precondition", message: refusal.message, fields: refusal.extra.fields ?? [], blocksCheckout };
}
