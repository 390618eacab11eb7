/**
 * The tax lines of an order: what its documents print per rate. Orders priced with tax classes
 * carry them (`breakdown.taxes`); older orders have one rate on (subtotal - discount), the
 * restaurant's `taxRateBps` (checkout/pricing.ts), rebuilt here as one line.
 */
import type { TaxLine } from "../contract/billing";
import type { PriceBreakdown } from "../contract/checkout";

export function taxLinesOf(breakdown: PriceBreakdown & { taxes?: TaxLine[] }, restaurantRateBps: number): TaxLine[] {
  if (Array.isArray(breakdown.taxes) && breakdown.taxes.length > 0) return breakdown.taxes.map(({ taxClass, rateBps, taxable, tax }) => ({ taxClass, rateBps, taxable, tax }));
  return [{ taxClass: "standard", rateBps: restaurantRateBps, taxable: breakdown.subtotal - breakdown.discount, tax: breakdown.tax }];
}
