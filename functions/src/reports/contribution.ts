/**
 * What one order adds to the reports, as a pure function of the order as it stands: the
 * projections are the sum of these over orders, so the live reports (kept by the order trigger,
 * which applies the difference between what an order counted before and what it counts now) and
 * a rebuild from the orders (which adds them up afresh) come to the same figures.
 *
 * Counting rules (all by the day the order was created, UTC, `YYYY-MM-DD`):
 * - restaurant day: an order counts once it was placed (an unpaid card order that expired never
 *   reached the kitchen); `revenue` is the total of orders accepted and not given up since;
 *   `refunds` / `refundedAmount` the orders whose money went back; accept time runs from placed
 *   to accepted, prepare time from accepted to ready (sums and counts, so the average is
 *   `acceptMs / accepted`); `items` the units ordered per item.
 * - payments day (admins), per method and currency: captured (cards: the payment captured, or
 *   later refunded; cash: the order delivered, collected at the door), refunded (cards whose
 *   payment was refunded in part or whole, with the amount), failed (card payments that failed).
 */
import { ACCEPTED_STATES, type OrderState } from "../orders/order-state";

/** Additive figures, by dotted path (`items.margherita.quantity`, `card.EUR.capturedAmount`). */
export type Figures = Record<string, number>;

export interface Contribution {
  orderId: string;
  restaurantId: string;
  day: string;
  /** The payment report shard this order always writes to. */
  shard: number;
  restaurant: Figures;
  /** Names of the items counted, for the report's top items. */
  itemNames: Record<string, string>;
  payments: Figures;
}

/** Shards of a payments day: each order writes one, chosen by its id. */
export const PAYMENT_REPORT_SHARDS = 10;

interface Instant {
  toMillis(): number;
}
interface OrderLike {
  restaurantId?: string;
  status?: OrderState;
  createdAt?: Instant | null;
  lines?: { itemId: string; name: string; quantity: number }[];
  total?: { amount: number; currency: string };
  paymentMethod?: "card" | "cash";
  payment?: { status?: string; amountCaptured?: number; amountRefunded?: number };
  history?: { to?: string; at?: Instant }[];
}

/** UTC day of a moment, `YYYY-MM-DD`. */
export function dayOf(millis: number): string {
  return new Date(millis).toISOString().slice(0, 10);
}

/** A stable shard for an order id (FNV-1a). */
export function shardOf(orderId: string, shards = PAYMENT_REPORT_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < orderId.length; i++) hash = Math.imul(hash ^ orderId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % shards;
}

const CARD_CAPTURED = ["captured", "partially_refunded", "refunded"];
const CARD_REFUNDED = ["partially_refunded", "refunded"];

/** What `order` counts for now; undefined while it has no creation time (not yet written by the server). */
export function contributionOf(orderId: string, order: OrderLike | undefined): Contribution | undefined {
  const created = order?.createdAt?.toMillis?.();
  if (!order?.restaurantId || created === undefined) return undefined;
  const at = (state: string) => order.history?.find((h) => h.to === state)?.at?.toMillis();
  const status = order.status;
  const total = order.total?.amount ?? 0;
  const currency = order.total?.currency ?? "XXX";
  const payment = order.payment ?? {};
  const restaurant: Figures = {};
  const itemNames: Record<string, string> = {};
  const placed = at("placed");
  if (placed !== undefined) {
    restaurant.orders = 1;
    if (status === "delivered") restaurant.delivered = 1;
    if (status === "cancelled") restaurant.cancelled = 1;
    if (status === "rejected") restaurant.rejected = 1;
    if (status && ACCEPTED_STATES.includes(status)) restaurant.revenue = total;
    const accepted = at("accepted");
    if (accepted !== undefined) Object.assign(restaurant, { acceptMs: Math.max(0, accepted - placed), accepted: 1 });
    const ready = at("ready");
    if (accepted !== undefined && ready !== undefined) Object.assign(restaurant, { prepareMs: Math.max(0, ready - accepted), prepared: 1 });
    for (const line of order.lines ?? []) {
      add(restaurant, `items.${line.itemId}.quantity`, line.quantity);
      itemNames[line.itemId] = line.name;
    }
  }
  const payments: Figures = {};
  const method = order.paymentMethod ?? "card";
  const key = `${method}.${currency}`;
  const refunded = method === "card" ? CARD_REFUNDED.includes(payment.status ?? "") : status === "refunded";
  const captured = method === "card" ? CARD_CAPTURED.includes(payment.status ?? "") : status === "delivered" || (refunded && at("delivered") !== undefined);
  if (captured) {
    add(payments, `${key}.capturedCount`, 1);
    add(payments, `${key}.capturedAmount`, payment.amountCaptured ?? total);
  }
  if (refunded) {
    const amount = payment.amountRefunded ?? total;
    add(payments, `${key}.refundedCount`, 1);
    add(payments, `${key}.refundedAmount`, amount);
    if (placed !== undefined) Object.assign(restaurant, { refunds: 1, refundedAmount: amount });
  }
  if (method === "card" && payment.status === "failed") add(payments, `${key}.failedCount`, 1);
  return { orderId, restaurantId: order.restaurantId, day: dayOf(created), shard: shardOf(orderId), restaurant, itemNames, payments };
}

function add(figures: Figures, path: string, value: number): void {
  figures[path] = (figures[path] ?? 0) + value;
}

/** after - before, key by key, without the zeros. */
export function difference(after: Figures, before: Figures): Figures {
  const delta: Figures = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(before)])) {
    const change = (after[key] ?? 0) - (before[key] ?? 0);
    if (change !== 0) delta[key] = change;
  }
  return delta;
}

/** Sums figures (a rebuild adding up its orders). */
export function sum(into: Figures, more: Figures): Figures {
  for (const [key, value] of Object.entries(more)) add(into, key, value);
  return into;
}

/** Dotted paths to a nested object (`{ items: { x: { quantity: 2 } } }`), each value mapped. */
export function nested<T>(figures: Figures, value: (n: number) => T): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, n] of Object.entries(figures)) {
    const keys = path.split(".");
    let node = root;
    for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[keys[keys.length - 1]] = value(n);
  }
  return root;
}

/** A nested report document back to dotted figures (numbers only). */
export function flatten(document: Record<string, unknown> | undefined, prefix = ""): Figures {
  const figures: Figures = {};
  for (const [key, value] of Object.entries(document ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === "number") figures[path] = value;
    else if (value && typeof value === "object" && !Array.isArray(value) && !("toMillis" in value)) Object.assign(figures, flatten(value as Record<string, unknown>, path));
  }
  return figures;
}
