/**
 * The numbers the console draws, computed from what the backend records on each order: its
 * `createdAt` and the `history` of its moves. Stage durations are measured exactly as the
 * backend measures them for its logs (functions/src/orders/stage-timing.ts).
 */
import { stageTiming } from "../../../functions/src/orders/stage-timing.ts";
import { millis } from "./dom.ts";

export interface OrderFacts {
  status?: unknown;
  paymentMethod?: unknown;
  createdAt?: unknown;
  history?: unknown;
}

/** The nearest-rank percentile `p` (0-100) of `values`; null when there are none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Orders created in each hour (0-23, local time) of the day that starts at `dayStart`. */
export function ordersPerHour(orders: OrderFacts[], dayStart: number): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const order of orders) {
    const at = millis(order.createdAt);
    if (at === undefined || at < dayStart) continue;
    const hour = Math.floor((at - dayStart) / 3_600_000);
    if (hour < 24) hours[hour] += 1;
  }
  return hours;
}

const entryAt = (order: OrderFacts, state: string): number | undefined => {
  const history = Array.isArray(order.history) ? (order.history as { to?: unknown; at?: unknown }[]) : [];
  return millis(history.find((entry) => entry.to === state)?.at);
};

/** Checkout to placed of card orders (a cash order is placed at checkout), ms. */
export function checkoutDurations(orders: OrderFacts[]): number[] {
  return orders.flatMap((order) => {
    const placedAt = entryAt(order, "placed");
    if (order.paymentMethod !== "card" || placedAt === undefined) return [];
    const { sinceCheckoutMs } = stageTiming({ createdAt: order.createdAt }, "placed", placedAt);
    return sinceCheckoutMs === undefined ? [] : [sinceCheckoutMs];
  });
}

/** Placed to delivered of delivered orders, ms. */
export function deliveryDurations(orders: OrderFacts[]): number[] {
  return orders.flatMap((order) => {
    const deliveredAt = entryAt(order, "delivered");
    if (deliveredAt === undefined) return [];
    const { sincePlacedMs } = stageTiming({ status: "picked_up", history: order.history }, "delivered", deliveredAt);
    return sincePlacedMs === undefined ? [] : [sincePlacedMs];
  });
}
