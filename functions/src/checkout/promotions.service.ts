/**
 * Promo codes (`promotions/{CODE}`): expiry, minimum order, a per-user limit and a global limit.
 * The global limit is a sharded counter of redemptions left, so a popular code is no hot
 * document; each use is recorded in `promoRedemptions/{orderId}` and can be given back once.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, notFound } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { applyTake, DEFAULT_SHARDS, giveBack, keptShardCount, planTake, readCounter, setCounter, type Allocation } from "../shared/sharded-counter";
import type { PricingPromo } from "./pricing";

export interface PromotionDefinition extends PricingPromo {
  startsAt: Date;
  expiresAt: Date;
  perUserLimit: number;
  globalLimit: number;
  active: boolean;
}

const promotions = () => db().collection(COLLECTIONS.promotions);
const redemptions = () => db().collection(COLLECTIONS.promoRedemptions);
const usage = (code: string, uid: string) => promotions().doc(code).collection("users").doc(uid);

/**
 * Creates or replaces a promotion. Uses already made count against the new global limit: the
 * counter holds `globalLimit` minus the redemptions in use (never below 0), so redefining a code
 * neither hands out its used redemptions again nor loses ones taken meanwhile.
 */
export async function definePromotion(promo: PromotionDefinition): Promise<{ left: number; used: number }> {
  const { Timestamp } = firestoreValues();
  const root = promotions().doc(promo.code);
  return db().runTransaction(async (tx) => {
    const current = await tx.get(root);
    const currentShards = (current.get("shards") as number | undefined) ?? 0;
    const used = (await tx.get(redemptions().where("code", "==", promo.code).where("status", "==", "used"))).size;
    // Read so that a use racing this definition makes one of the two retry.
    await readCounter(tx, root, currentShards);
    const left = Math.max(0, promo.globalLimit - used);
    const shards = keptShardCount(currentShards, DEFAULT_SHARDS);
    setCounter(tx, root, left, shards);
    tx.set(root, { ...promo, startsAt: Timestamp.fromDate(promo.startsAt), expiresAt: Timestamp.fromDate(promo.expiresAt), globalLimit: promo.globalLimit, shards });
    return { left, used };
  });
}

const refuse = (message: string, reason: string) => new DomainError("failed-precondition", message, { reason, fields: [{ path: "promoCode", message }] });

/** The promotion behind a code, if it can be used now (limits are checked when it is used). */
export async function loadPromotion(code: string, now: Date): Promise<PricingPromo> {
  const data = (await promotions().doc(code).get()).data();
  if (!data) throw notFound("Promo code", "promo-not-found", "promoCode");
  if (!data.active || data.startsAt.toMillis() > now.getTime() || data.expiresAt.toMillis() <= now.getTime()) {
    throw refuse(`${code} has expired.`, "promo-expired");
  }
  return { code, kind: data.kind, value: data.value, maxDiscount: data.maxDiscount, minSubtotal: data.minSubtotal, currency: data.currency };
}

/** Reads whether `uid` may use `code` once more; the returned function records the use. */
export async function planPromotionUse(tx: Transaction, code: string, uid: string, orderId: string): Promise<() => void> {
  const { FieldValue } = firestoreValues();
  const root = promotions().doc(code);
  const [promo, used] = await Promise.all([tx.get(root), tx.get(usage(code, uid))]);
  const usedCount = (used.get("used") as number | undefined) ?? 0;
  if (usedCount >= (promo.get("perUserLimit") as number)) throw refuse(`You have already used ${code}.`, "promo-already-used");
  const take = await planTake(tx, root, promo.get("shards") as number, 1, Math.floor(Math.random() * (promo.get("shards") as number)));
  if ("short" in take) throw refuse(`${code} has been used up.`, "promo-exhausted");
  return () => {
    applyTake(tx, root, take.allocation);
    tx.set(usage(code, uid), { used: FieldValue.increment(1) }, { merge: true });
    tx.create(redemptions().doc(orderId), { code, uid, orderId, allocation: take.allocation, status: "used", at: FieldValue.serverTimestamp() });
  };
}

/** Reads an order's promotion use; the returned function gives it back (once). */
export async function planPromotionReturn(tx: Transaction, orderId: string): Promise<() => void> {
  const redemption = await tx.get(redemptions().doc(orderId));
  if (!redemption.exists || redemption.get("status") !== "used") return () => undefined;
  return () => {
    const { FieldValue } = firestoreValues();
    const code = redemption.get("code") as string;
    giveBack(tx, promotions().doc(code), redemption.get("allocation") as Allocation);
    tx.set(usage(code, redemption.get("uid") as string), { used: FieldValue.increment(-1) }, { merge: true });
    tx.update(redemption.ref, { status: "returned", returnedAt: FieldValue.serverTimestamp() });
  };
}
