/**
 * What an unpaid order holds: its stock reservation and its promo use. Every way an order is
 * given up (payment could not start, window expired, payment canceled) releases both, once.
 */
import type { Transaction } from "firebase-admin/firestore";
import { planSettle } from "../inventory/stock.service";
import { planPromotionReturn } from "./promotions.service";

/** Reads the holds in `tx`; the returned function gives them back (call it after all reads). */
export async function planReleaseOrderHolds(tx: Transaction, orderId: string, reason: string): Promise<() => void> {
  const releaseStock = await planSettle(tx, orderId, "released", reason);
  const returnPromo = await planPromotionReturn(tx, orderId);
  return () => {
    releaseStock();
    returnPromo();
  };
}
