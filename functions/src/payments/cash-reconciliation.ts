/**
 * A courier's cash per day, as pure functions: which document an order counts in, and the
 * totals recomputed from the per-order entries. Totals are always recomputed from the entries
 * (never incremented), so writing an order's entry twice, from a redelivered event or a
 * repeated call, counts it once.
 */

export interface CashEntry {
  /** The order's total: what the courier should have taken. */
  expected: number;
  /** What the courier recorded taking; null until they do. */
  collected: number | null;
}

export interface CashTotals {
  expected: number;
  collected: number;
  unrecordedOrders: number;
  /** Sum of what recorded orders lacked (collected below their total). */
  short: number;
  /** Sum of what recorded orders had too much (collected above their total). */
  over: number;
  flagged: boolean;
}

/** `yyyy-mm-dd` of `at` in `timeZone`: the cash day an order delivered then belongs to. */
export function cashDay(at: Date, timeZone: string): string {
  // en-CA writes dates as yyyy-mm-dd.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** `cashReconciliations/{id}` of a courier's day in one currency. */
export function reconciliationId(courierUid: string, day: string, currency: string): string {
  return `${courierUid}_${day}_${currency}`;
}

export function totalsOf(entries: Record<string, CashEntry>): CashTotals {
  const totals: CashTotals = { expected: 0, collected: 0, unrecordedOrders: 0, short: 0, over: 0, flagged: false };
  for (const { expected, collected } of Object.values(entries)) {
    totals.expected += expected;
    if (collected === null) {
      // Not yet a difference: the courier may record it a moment after marking the delivery.
      totals.unrecordedOrders += 1;
      continue;
    }
    totals.collected += collected;
    if (collected < expected) totals.short += expected - collected;
    if (collected > expected) totals.over += collected - expected;
  }
  totals.flagged = totals.short > 0 || totals.over > 0;
  return totals;
}
