/**
 * Failed card payments, counted for the fraud rules where the payment webhook records them
 * (payments/payment-events.ts): per account and per card (Stripe's card fingerprint), both as
 * keyed hashes. The account's hour also lists the cards that failed, so a checkout finds the
 * cards to check from the account alone.
 */
import type { Transaction } from "firebase-admin/firestore";
import { firestoreValues } from "../shared/firebase";
import { keyedHash } from "../shared/pseudonym";
import { countEvent, seriesRef } from "./counters";

/** Counts one failed payment of `uid`, with the card that failed when Stripe named it; in `tx`, after its reads. */
export function countFailedPayment(tx: Transaction, uid: string, cardFingerprint: string | undefined, atMs: number): void {
  const card = cardFingerprint ? keyedHash("card", cardFingerprint) : undefined;
  const { FieldValue } = firestoreValues();
  countEvent(tx, seriesRef("failedPaymentsByUser", keyedHash("uid", uid)), atMs, card ? { cards: FieldValue.arrayUnion(card) } : {});
  if (card) countEvent(tx, seriesRef("failedPaymentsByCard", card), atMs);
}
