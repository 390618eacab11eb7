/**
 * The tax lines of an order: what its documents print per rate. Orders priced with tax classes
 * carry them (`breakdown.taxes`, checkout/taxes.ts); an order priced before them had one rate on
 * (subtotal - discount), the restaurant's `taxRateBps` of then or 10 %, rebuilt here as one line.
 */
import type { PriceBreakdown, TaxLine } from "../contract/checkout";
import { DEFAULT_TAX_RATES_BPS } from "../checkout/taxes";

/** `breakdown` as stored: orders priced before tax classes have no `taxes`. */
type StoredBreakdown = Omit<PriceBreakdown, "taxes"> & { taxes?: TaxLine[] };

export function taxLinesOf(breakdown: StoredBreakdown, legacyRateBps: number | undefined): TaxLine[] {
  if (Array.isArray(breakdown.taxes) && breakdown.taxes.length > 0) return breakdown.taxes.map(({ taxClass, rateBps, taxable, tax }) => ({ taxClass, rateBps, taxable, tax }));
  return [{ taxClass: "food", rateBps: legacyRateBps ?? DEFAULT_TAX_RATES_BPS.food, taxable: breakdown.subtotal - breakdown.discount, tax: breakdown.tax }];
}
