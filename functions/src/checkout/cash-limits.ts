/**
 * Cash on delivery costs an abuser nothing until the courier is at the door, so cash orders
 * hold stock and keep kitchens busy for free. Two guards: cash only from an account whose phone
 * Firebase Auth verified, and at most MAX_OPEN_CASH_ORDERS open cash orders per account.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { cashRequiresVerifiedPhone, maxOpenCashOrders } from "../shared/params";
import { OPEN_STATES } from "../orders/order-state";
import { shapedQuery } from "../shared/queries";

const GUARD_TTL_MS = 24 * 60 * 60 * 1000;

const refuse = (message: string, reason: string) => new DomainError("failed-precondition", message, { reason, fields: [{ path: "paymentMethod", message }] });

/** Refuses cash from an account without a verified phone (unless CASH_REQUIRES_VERIFIED_PHONE is off). */
export function requireCashAllowed(verifiedPhone: string | null): void {
  if (!verifiedPhone && cashRequiresVerifiedPhone.value()) throw refuse("Verify your phone number to pay cash, or pay by card.", "verified-phone-required");
}

/**
 * Refuses a cash order while the account already has MAX_OPEN_CASH_ORDERS open; the returned
 * function marks the account's guard (call it after all reads). The count comes from the
 * orders themselves, so there is no counter to drift when orders end. Every cash checkout of
 * the account reads and writes its guard in the checkout transaction, so two of them never
 * pass side by side: the later one retries and its count then sees the earlier one's order.
 * The count is a plain query, not a transactional one, because the Firestore emulator locks a
 * whole collection for a query in a transaction: every checkout would then conflict with every
 * other (40 checkouts of distinct accounts took 190 attempts and 28 s instead of 40 and 0.2 s).
 */
export async function planOpenCashOrdersCheck(tx: Transaction, uid: string, now: Date): Promise<() => void> {
  const guard = db().collection(COLLECTIONS.cashCheckoutGuards).doc(uid);
  await tx.get(guard);
  await requireCashOrderRoom(uid);
  const { Timestamp } = firestoreValues();
  // Needed only while a checkout runs; kept a day, then removed by the TTL policy.
  return () => tx.set(guard, { at: Timestamp.fromDate(now), expireAt: Timestamp.fromMillis(now.getTime() + GUARD_TTL_MS) });
}

/**
 * Refuses (`too-many-open-cash-orders`) while the account has MAX_OPEN_CASH_ORDERS open cash
 * orders: a plain count, safe to run outside the guard's transaction as a refusal only.
 */
export async function requireCashOrderRoom(uid: string): Promise<void> {
  const max = maxOpenCashOrders.value();
  const open = await shapedQuery("openCashOrdersOfCustomer", db(), uid, "cash", OPEN_STATES).limit(max).get();
  if (open.size >= max) throw refuse(`You already have ${open.size} cash orders open. Pay by card, or wait until one is delivered.`, "too-many-open-cash-orders");
}

/**
 * What a cash checkout by this account would be refused for right now, changing nothing (for
 * the cart quote): the same two rules, as a value; undefined when cash is allowed.
 */
export async function cashRefusal(uid: string, verifiedPhone: string | null): Promise<DomainError | undefined> {
  try {
    requireCashAllowed(verifiedPhone);
    await requireCashOrderRoom(uid);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}
