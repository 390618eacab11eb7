/**
 * Cash on delivery costs an abuser nothing until the courier is at the door, so cash orders
 * hold stock and keep kitchens busy for free. Two guards: cash only from an account whose phone
 * Firebase Auth verified, and at most MAX_OPEN_CASH_ORDERS open cash orders per account.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db } from "../shared/firebase";
import { cashRequiresVerifiedPhone, maxOpenCashOrders } from "../shared/params";
import { OPEN_STATES } from "../orders/order-state";

const refuse = (message: string, reason: string) => new DomainError("failed-precondition", message, { reason, fields: [{ path: "paymentMethod", message }] });

/** Refuses cash from an account without a verified phone (unless CASH_REQUIRES_VERIFIED_PHONE is off). */
export function requireCashAllowed(verifiedPhone: string | null): void {
  if (!verifiedPhone && cashRequiresVerifiedPhone.value()) throw refuse("Verify your phone number to pay cash, or pay by card.", "verified-phone-required");
}

/**
 * Refuses a cash order while the account already has MAX_OPEN_CASH_ORDERS open. A query inside
 * the checkout transaction: concurrent checkouts of one account conflict on it and retry, so they
 * cannot all pass, and with no counter to keep, nothing can drift when orders end.
 */
export async function checkOpenCashOrders(tx: Transaction, uid: string): Promise<void> {
  const max = maxOpenCashOrders.value();
  const open = await tx.get(
    db().collection(COLLECTIONS.orders).where("customerUid", "==", uid).where("paymentMethod", "==", "cash").where("status", "in", OPEN_STATES).limit(max),
  );
  if (open.size >= max) throw refuse(`You already have ${open.size} cash orders open. Pay by card, or wait until one is delivered.`, "too-many-open-cash-orders");
}
