/**
 * Pricing a checkout from the catalog: pure, no I/O, every amount an integer of minor units.
 * It also decides whether the order can be placed at all (restaurant open, address in range,
 * items available, modifier choices valid), refusing with the field that is wrong.
 */
import { distanceBetween } from "geofire-common";
import { DEFAULT_TAX_CLASS, type OpeningHours, type TaxClass } from "../contract/catalog";
import type { CheckoutRequest, PriceBreakdown } from "../contract/checkout";
import type { FieldError } from "../contract/errors";
import { DomainError, failedPrecondition, invalidArgument, notFound } from "../shared/errors";
import { isOpenAt } from "../catalog/opening-hours";
import { taxLines, taxRatesOf } from "./taxes";

/** Delivery costs the restaurant's base fee plus this much per started km beyond the first 2. */
export const FEE_PER_KM = 50;
const FREE_KM = 2;

export interface PricingRestaurant {
  id: string;
  name: string;
  published: boolean;
  currency: string;
  location: { lat: number; lng: number };
  deliveryRadiusKm: number;
  deliveryFee: number;
  openingHours: OpeningHours;
  /** Usual preparation minutes, for the quote's ETA. */
  prepMinutes?: number;
  /** Per tax class; classes left out use the project defaults (taxes.ts). */
  taxRatesBps?: Partial<Record<TaxClass, number>>;
}

export interface PricingItem {
  id: string;
  name: string;
  price: { amount: number; currency: string };
  available: boolean;
  tracksStock: boolean;
  /** Absent on items written before tax classes: taxed as food. */
  taxClass?: TaxClass;
  modifierGroups: {
    id: string;
    name: string;
    minSelect: number;
    maxSelect: number;
    options: { id: string; name: string; priceDelta: number; available?: boolean }[];
  }[];
}

export interface PricingPromo {
  code: string;
  kind: "percent" | "amount";
  /** Percent (1-100) or minor units. */
  value: number;
  maxDiscount?: number;
  minSubtotal: number;
  currency?: string;
}

/** Ceilings on what one order may cost, from the params (`MAX_TIP_PERCENT`, `MAX_TIP`, `MAX_ORDER_TOTAL`). */
export interface CheckoutLimits {
  /** Largest tip as a percentage of the subtotal. */
  maxTipPercent: number;
  /** Largest tip in minor units. */
  maxTip: number;
  /** Largest total in minor units. */
  maxOrderTotal: number;
}

/**
 * A cart priced, with what would stop checkout that a quote only reports: the restaurant being
 * closed, unavailable items (still priced, so the cart shows them) and a refused promo code
 * (then priced without it). Everything else wrong with the cart is thrown, as checkout throws it.
 */
export interface PricedCart {
  breakdown: PriceBreakdown;
  /** Refusals checkout raises, in the order it raises them: closed, unavailable items, the promo. */
  refusals: DomainError[];
  /** The promo code's refusal, also in `refusals`. */
  promoRefusal?: DomainError;
}

/** Prices a checkout, refusing whatever would stop the order (the first of `priceCart`'s refusals). */
export function priceCheckout(
  request: Pick<CheckoutRequest, "lines" | "deliveryAddress" | "tip">,
  restaurant: PricingRestaurant | undefined,
  items: Map<string, PricingItem>,
  promo: PricingPromo | undefined,
  now: Date,
  limits: CheckoutLimits,
): PriceBreakdown {
  const priced = priceCart(request, restaurant, items, promo, now, limits);
  if (priced.refusals.length > 0) throw priced.refusals[0];
  return priced.breakdown;
}

/** The one pricing path: checkout (through priceCheckout) and the cart quote both use it. */
export function priceCart(
  request: Pick<CheckoutRequest, "lines" | "deliveryAddress" | "tip">,
  restaurant: PricingRestaurant | undefined,
  items: Map<string, PricingItem>,
  promo: PricingPromo | undefined,
  now: Date,
  limits: CheckoutLimits,
): PricedCart {
  if (!restaurant?.published) throw notFound("Restaurant", "restaurant-not-found", "restaurantId");
  const refusals: DomainError[] = [];
  if (!isOpenAt(restaurant.openingHours, now)) refusals.push(failedPrecondition(`${restaurant.name} is closed now.`, "restaurant-closed"));
  const { location } = request.deliveryAddress;
  const distanceKm = distanceBetween([location.lat, location.lng], [restaurant.location.lat, restaurant.location.lng]);
  if (distanceKm > restaurant.deliveryRadiusKm) {
    throw new DomainError("failed-precondition", `${restaurant.name} does not deliver to this address.`, {
      reason: "outside-delivery-area",
      fields: [{ path: "deliveryAddress.location", message: `${distanceKm.toFixed(1)} km away; the restaurant delivers up to ${restaurant.deliveryRadiusKm} km.` }],
    });
  }

  const unknown: FieldError[] = [];
  const unavailable: FieldError[] = [];
  const badChoices: FieldError[] = [];
  const lines: Omit<PriceBreakdown["lines"][number], "discountShare" | "tax">[] = [];
  request.lines.forEach((line, index) => {
    const item = items.get(line.itemId);
    if (!item) {
      unknown.push({ path: `lines.${index}.itemId`, message: "No such item at this restaurant." });
      return;
    }
    if (!item.available) unavailable.push({ path: `lines.${index}.itemId`, message: `${item.name} is not available now.` });
    const chosen = chooseModifiers(item, line.modifiers, `lines.${index}.modifiers`, badChoices);
    const unitPrice = item.price.amount + chosen.reduce((sum, m) => sum + m.priceDelta, 0);
    if (unitPrice < 0) badChoices.push({ path: `lines.${index}.modifiers`, message: "These options would make the price negative." });
    lines.push({ itemId: item.id, name: item.name, quantity: line.quantity, unitPrice, modifiers: chosen, lineTotal: unitPrice * line.quantity, taxClass: item.taxClass ?? DEFAULT_TAX_CLASS });
  });
  if (unknown.length) throw new DomainError("not-found", "Some items do not exist at this restaurant.", { reason: "item-not-found", fields: unknown });
  if (badChoices.length) throw invalidArgument(badChoices);
  if (unavailable.length) refusals.push(new DomainError("failed-precondition", "Some items are not available now.", { reason: "item-unavailable", fields: unavailable }));

  const subtotal = lines.reduce((sum, l) => sum + l.lineTotal, 0);
  let discount = 0;
  let promoRefusal: DomainError | undefined;
  if (promo) {
    try {
      discount = promoDiscount(promo, subtotal, restaurant.currency);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      promoRefusal = error;
      refusals.push(error);
    }
  }
  const deliveryFee = restaurant.deliveryFee + FEE_PER_KM * Math.max(0, Math.ceil(distanceKm - FREE_KM));
  const { lines: taxed, taxes, tax } = taxLines(lines, discount, taxRatesOf(restaurant.taxRatesBps));
  const tip = request.tip ?? 0;
  const tipCeiling = Math.min(limits.maxTip, Math.floor((subtotal * limits.maxTipPercent) / 100));
  if (tip > tipCeiling) {
    throw invalidArgument([{ path: "tip", message: `At most ${tipCeiling} (${limits.maxTipPercent}% of the subtotal, and never over ${limits.maxTip}).` }]);
  }
  const total = subtotal - discount + deliveryFee + tax + tip;
  if (total > limits.maxOrderTotal) {
    throw new DomainError("failed-precondition", `Orders may total at most ${limits.maxOrderTotal} (minor units); this one is ${total}.`, {
      reason: "order-total-too-high",
      fields: [{ path: "lines", message: "Order fewer items." }],
    });
  }
  const breakdown: PriceBreakdown = {
    currency: restaurant.currency,
    lines: lines.map((line, index) => ({ ...line, discountShare: taxed[index].discountShare, tax: taxed[index].tax })),
    subtotal,
    discount,
    deliveryFee,
    tax,
    taxes,
    tip,
    total,
    distanceKm: Math.round(distanceKm * 100) / 100,
  };
  return { breakdown, refusals, ...(promoRefusal ? { promoRefusal } : {}) };
}

function chooseModifiers(
  item: PricingItem,
  requested: CheckoutRequest["lines"][number]["modifiers"],
  path: string,
  errors: FieldError[],
): PriceBreakdown["lines"][number]["modifiers"] {
  const chosen: PriceBreakdown["lines"][number]["modifiers"] = [];
  requested.forEach((choice, i) => {
    if (!item.modifierGroups.some((g) => g.id === choice.groupId)) errors.push({ path: `${path}.${i}.groupId`, message: "No such option group for this item." });
  });
  for (const group of item.modifierGroups) {
    const index = requested.findIndex((r) => r.groupId === group.id);
    const optionIds = index >= 0 ? [...new Set(requested[index].optionIds)] : [];
    const at = index >= 0 ? `${path}.${index}.optionIds` : path;
    if (optionIds.length < group.minSelect || optionIds.length > group.maxSelect) {
      const range = group.minSelect === group.maxSelect ? `${group.minSelect}` : `${group.minSelect} to ${group.maxSelect}`;
      errors.push({ path: at, message: `Choose ${range} of "${group.name}".` });
    }
    for (const optionId of optionIds) {
      const option = group.options.find((o) => o.id === optionId);
      if (!option || option.available === false) errors.push({ path: at, message: `"${optionId}" is not an available option of "${group.name}".` });
      else chosen.push({ groupId: group.id, optionId: option.id, name: option.name, priceDelta: option.priceDelta });
    }
  }
  return chosen;
}

/** The discount a promo gives on `subtotal`; refuses when the order does not qualify. */
export function promoDiscount(promo: PricingPromo, subtotal: number, currency: string): number {
  if (promo.kind === "amount" && promo.currency && promo.currency !== currency) {
    throw new DomainError("failed-precondition", `${promo.code} is not valid in ${currency}.`, { reason: "promo-not-applicable", fields: [{ path: "promoCode", message: "Wrong currency." }] });
  }
  if (subtotal < promo.minSubtotal) {
    throw new DomainError("failed-precondition", `${promo.code} needs an order of at least ${promo.minSubtotal} (minor units).`, {
      reason: "promo-minimum-not-met",
      fields: [{ path: "promoCode", message: "Order below the promotion's minimum." }],
    });
  }
  const raw = promo.kind === "percent" ? Math.floor((subtotal * promo.value) / 100) : promo.value;
  return Math.min(subtotal, promo.maxDiscount ?? Number.MAX_SAFE_INTEGER, raw);
}
