/**
 * A cart as checkout and the cart quote read it: the restaurant and the items the lines name,
 * the limits from the params, the stock lines to reserve or look at, the caller's verified phone.
 * One home, so that a quote prices exactly what checkout will.
 */
import type { DocumentReference, DocumentSnapshot } from "firebase-admin/firestore";
import type { CheckoutRequest } from "../contract/checkout";
import type { Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { db } from "../shared/firebase";
import { maxOrderTotal, maxTip, maxTipPercent } from "../shared/params";
import type { StockLine } from "../inventory/stock.service";
import type { CheckoutLimits, PricingItem, PricingRestaurant } from "./pricing";

type CartRequest = Pick<CheckoutRequest, "restaurantId" | "lines">;

/** What pricing reads: the restaurant (undefined when it does not exist) and the cart's items by id. */
export interface CartCatalog {
  restaurant: PricingRestaurant | undefined;
  items: Map<string, PricingItem>;
}

/** The restaurant's document, then one per distinct item: read them with the caller's own reads in one `getAll`. */
export function cartRefs(request: CartRequest): DocumentReference[] {
  const restaurantRef = db().collection(COLLECTIONS.restaurants).doc(request.restaurantId);
  const itemIds = [...new Set(request.lines.map((l) => l.itemId))];
  return [restaurantRef, ...itemIds.map((id) => restaurantRef.collection(COLLECTIONS.items).doc(id))];
}

/** The catalog of a cart from the snapshots of `cartRefs`, in its order. */
export function cartCatalogOf([restaurantSnap, ...itemSnaps]: DocumentSnapshot[]): CartCatalog {
  const restaurant = restaurantSnap.exists ? ({ id: restaurantSnap.id, ...restaurantSnap.data() } as PricingRestaurant) : undefined;
  const items = new Map<string, PricingItem>(
    itemSnaps.filter((s) => s.exists).map((s) => [s.id, { modifierGroups: [], tracksStock: false, ...s.data(), id: s.id } as unknown as PricingItem]),
  );
  return { restaurant, items };
}

/** MAX_TIP_PERCENT, MAX_TIP and MAX_ORDER_TOTAL, read now. */
export function checkoutLimits(): CheckoutLimits {
  return { maxTipPercent: maxTipPercent.value(), maxTip: maxTip.value(), maxOrderTotal: maxOrderTotal.value() };
}

/** The lines of stock-tracked items (call after pricing: every line's item exists). */
export function stockLinesOf(request: CartRequest, items: Map<string, PricingItem>): StockLine[] {
  return request.lines
    .map((line, index) => ({ line: index, restaurantId: request.restaurantId, itemId: line.itemId, name: items.get(line.itemId)!.name, quantity: line.quantity }))
    .filter((l) => items.get(l.itemId)!.tracksStock);
}

/** The caller's phone if Firebase Auth verified it: only such a number reaches the ID token as `phone_number`. */
export function verifiedPhoneOf(caller: Caller): string | null {
  return typeof caller.claims.phone_number === "string" ? caller.claims.phone_number : null;
}
