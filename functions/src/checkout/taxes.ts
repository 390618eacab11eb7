/**
 * Sales tax by tax class, in integer minor units: pure, no I/O.
 *
 * Each item has a tax class (`food` unless it says otherwise); each class has a rate, the
 * restaurant's own (`restaurants/{id}.taxRatesBps`) or the project default below. Tax is
 * computed per line, on the line's total less its share of the order's discount:
 *
 *   1. the discount is split over the lines in proportion to their totals, by the largest
 *      remainder rule (see `allocateProportionally`), so the shares sum to the discount exactly
 *      and the same cart always splits the same way;
 *   2. each line's tax is `round(taxable * rateBps / 10000)`, halves rounded up;
 *   3. `taxes` sums lines by class; its `tax` amounts sum exactly to the breakdown's `tax`.
 *
 * The delivery fee and the tip are not taxed: the fee is the courier's charge passed on at cost
 * and the tip goes to the courier whole (a market that taxes delivery would add a `delivery`
 * class here and tax the fee at it).
 */
import { TAX_CLASSES, type TaxClass } from "../contract/catalog";
import type { TaxLine } from "../contract/checkout";

/** A class's rate in basis points (1000 = 10%) where the restaurant sets none. */
export const DEFAULT_TAX_RATES_BPS: Readonly<Record<TaxClass, number>> = { food: 1000, drinks: 2100 };

const BPS = 10_000;

/**
 * Splits `amount` over `weights` in proportion, in whole units, so the parts sum to `amount`
 * exactly. Largest remainder rule: each part is first rounded down; the units left over go one
 * each to the parts with the largest remainders, ties to the earlier part. All weights zero (or
 * none) leave every part at zero: there is nothing to split in proportion to.
 */
export function allocateProportionally(amount: number, weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0 || amount === 0) return weights.map(() => 0);
  // BigInt: amount * weight can pass 2^53 on a large cart before its total is refused.
  const [whole, of] = [BigInt(amount), BigInt(total)];
  const exact = weights.map((w, index) => ({ index, part: (whole * BigInt(w)) / of, remainder: (whole * BigInt(w)) % of }));
  const parts = exact.map((e) => Number(e.part));
  let left = amount - parts.reduce((sum, p) => sum + p, 0);
  exact.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of exact) {
    if (left === 0) break;
    parts[index] += 1;
    left -= 1;
  }
  return parts;
}

/** Tax on `taxable` at `rateBps`, rounded half up to a whole minor unit. */
export function taxAt(taxable: number, rateBps: number): number {
  return Number((BigInt(taxable) * BigInt(rateBps) + BigInt(BPS / 2)) / BigInt(BPS));
}

/** The rate of each class for a restaurant: its own where it sets one, the default otherwise. */
export function taxRatesOf(restaurantRates: Partial<Record<TaxClass, number>> | undefined): Record<TaxClass, number> {
  return Object.fromEntries(TAX_CLASSES.map((c) => [c, restaurantRates?.[c] ?? DEFAULT_TAX_RATES_BPS[c]])) as Record<TaxClass, number>;
}

/** What tax needs of a priced line. */
export interface TaxableLine {
  taxClass: TaxClass;
  lineTotal: number;
}

export interface TaxResult {
  /** Per line, in the lines' order: its share of the discount and its tax. */
  lines: { discountShare: number; taxable: number; tax: number }[];
  /** Per class present in the cart, in TAX_CLASSES order. */
  taxes: TaxLine[];
  /** Sum of the lines' tax. */
  tax: number;
}

/** Taxes a cart's lines after `discount` (at most their total), class by class. */
export function taxLines(lines: readonly TaxableLine[], discount: number, rates: Record<TaxClass, number>): TaxResult {
  const shares = allocateProportionally(discount, lines.map((l) => l.lineTotal));
  const perLine = lines.map((line, index) => {
    const taxable = line.lineTotal - shares[index];
    return { discountShare: shares[index], taxable, tax: taxAt(taxable, rates[line.taxClass]) };
  });
  const taxes: TaxLine[] = [];
  for (const taxClass of TAX_CLASSES) {
    const of = perLine.filter((_, index) => lines[index].taxClass === taxClass);
    if (of.length === 0) continue;
    taxes.push({
      taxClass,
      rateBps: rates[taxClass],
      taxable: of.reduce((sum, l) => sum + l.taxable, 0),
      tax: of.reduce((sum, l) => sum + l.tax, 0),
    });
  }
  return { lines: perLine, taxes, tax: perLine.reduce((sum, l) => sum + l.tax, 0) };
}
