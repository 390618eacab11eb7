/**
 * Promo codes (`promotions/{CODE}`): expiry, minimum order, a per-user limit and a global limit.
 * The global limit is a sharded counter of redemptions left, so a popular code is no hot
 * document; each use is recorded in `promoRedemptions/{orderId}` and can be given back once.
 *
 * The per-user limit counts every identity behind a use, so a new account does not make a new
 * customer: the account, the phone Firebase Auth verified (a code that limits each customer
 * needs one) and, once Stripe reports it at authorization, the card. Each identity is a keyed
 * pseudonym (`uid:<hash>`, `phone:<hash>`, `card:<hash>`, shared/pseudonym.ts) with its count in
 * `promotions/{CODE}/uses/{identity}`; the redemption lists the identities it counted against,
 * so giving it back takes exactly those back. No raw uid, phone or card is stored: what an
 * account deletion leaves are pseudonyms, and its uid's (`uid:` + keyedHash("uid", uid)) can be
 * found and scrubbed without a query.
 */
import type { DocumentSnapshot, Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, notFound } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { keyedHash } from "../shared/pseudonym";
import { applyTake, counterTotal, DEFAULT_SHARDS, giveBack, keptShardCount, planTake, readCounter, setCounter, type Allocation } from "../shared/sharded-counter";
import type { PricingPromo } from "./pricing";
import { shapedQuery } from "../shared/queries";

export interface PromotionDefinition extends PricingPromo {
  startsAt: Date;
  expiresAt: Date;
  perUserLimit: number;
  globalLimit: number;
  active: boolean;
}

const promotions = () => db().collection(COLLECTIONS.promotions);
const redemptions = () => db().collection(COLLECTIONS.promoRedemptions);
const uses = (code: string, identity: string) => promotions().doc(code).collection("uses").doc(identity);
const usedCount = (snapshot: DocumentSnapshot) => (snapshot.get("used") as number | undefined) ?? 0;

type IdentityKind = "uid" | "phone" | "card";
const identity = (kind: IdentityKind, value: string) => `${kind}:${keyedHash(kind, value)}`;

/** Who checks out, as far as promo limits go: the account and the phone its ID token says Auth verified. */
export interface PromoCustomer {
  uid: string;
  verifiedPhone: string | null;
}

/** The identities a customer's use of a code counts against (keyed pseudonyms). */
export function customerIdentities(customer: PromoCustomer): string[] {
  return [identity("uid", customer.uid), ...(customer.verifiedPhone ? [identity("phone", customer.verifiedPhone)] : [])];
}

/**
 * Whether a code limits each customer: a per-user limit below the global one. A code whose
 * per-user limit is no tighter than its global limit (FIVEOFF: 3 and 3) needs no verified phone.
 */
const limitsEachCustomer = (promo: DocumentSnapshot) => (promo.get("perUserLimit") as number) < (promo.get("globalLimit") as number);

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
    const used = (await tx.get(shapedQuery("promoRedemptionsOfCodeInStatus", redemptions(), promo.code, "used"))).size;
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

/** Why `customer` may not use the code once more, from the code and their counts as read; undefined if they may. */
function customerRefusal(code: string, promo: DocumentSnapshot, counts: DocumentSnapshot[], customer: PromoCustomer): DomainError | undefined {
  if (limitsEachCustomer(promo) && !customer.verifiedPhone) {
    const message = `Verify your phone number to use ${code}.`;
    return new DomainError("failed-precondition", message, { reason: "verified-phone-required", fields: [{ path: "promoCode", message }] });
  }
  const perUserLimit = promo.get("perUserLimit") as number;
  if (counts.some((count) => usedCount(count) >= perUserLimit)) return refuse(`You have already used ${code}.`, "promo-already-used");
  return undefined;
}

/**
 * What `planPromotionUse` would refuse right now, read outside any transaction and changing
 * nothing (for the cart quote): the customer's limits, and a code with no redemptions left.
 */
export async function promotionUseRefusal(code: string, customer: PromoCustomer): Promise<DomainError | undefined> {
  const root = promotions().doc(code);
  const [promo, ...counts] = await db().getAll(root, ...customerIdentities(customer).map((id) => uses(code, id)));
  const refusal = customerRefusal(code, promo, counts, customer);
  if (refusal) return refusal;
  if ((await counterTotal(root, promo.get("shards") as number)) < 1) return refuse(`${code} has been used up.`, "promo-exhausted");
  return undefined;
}

/** Reads whether `customer` may use `code` once more; the returned function records the use. */
export async function planPromotionUse(tx: Transaction, code: string, customer: PromoCustomer, orderId: string): Promise<() => void> {
  const { FieldValue } = firestoreValues();
  const root = promotions().doc(code);
  const identities = customerIdentities(customer);
  // One round trip: the code and the customer's count under each identity.
  const [promo, ...counts] = await tx.getAll(root, ...identities.map((id) => uses(code, id)));
  const refusal = customerRefusal(code, promo, counts, customer);
  if (refusal) throw refusal;
  const perUserLimit = promo.get("perUserLimit") as number;
  const take = await planTake(tx, root, promo.get("shards") as number, 1, Math.floor(Math.random() * (promo.get("shards") as number)));
  if ("short" in take) throw refuse(`${code} has been used up.`, "promo-exhausted");
  return () => {
    applyTake(tx, root, take.allocation);
    for (const id of identities) tx.set(uses(code, id), { used: FieldValue.increment(1) }, { merge: true });
    tx.create(redemptions().doc(orderId), { code, orderId, identities, perUserLimit, allocation: take.allocation, status: "used", at: FieldValue.serverTimestamp() });
  };
}

/**
 * At authorization, when Stripe names the card: counts the order's promo use against the card
 * too, or refuses it when the card already used the code up to its per-user limit on other
 * orders (the order is then given up and the use returned). Reads in `tx`; `record` writes.
 */
export async function planPromotionCardUse(tx: Transaction, orderId: string, cardFingerprint: string): Promise<{ refused: boolean; record: () => void }> {
  const nothing = { refused: false, record: () => undefined };
  const redemption = await tx.get(redemptions().doc(orderId));
  if (!redemption.exists || redemption.get("status") !== "used") return nothing;
  const card = identity("card", cardFingerprint);
  const identities = (redemption.get("identities") as string[] | undefined) ?? [];
  if (identities.includes(card)) return nothing;
  const code = redemption.get("code") as string;
  const count = await tx.get(uses(code, card));
  if (usedCount(count) >= (redemption.get("perUserLimit") as number)) return { refused: true, record: () => undefined };
  return {
    refused: false,
    record: () => {
      const { FieldValue } = firestoreValues();
      tx.set(uses(code, card), { used: FieldValue.increment(1) }, { merge: true });
      tx.update(redemption.ref, { identities: FieldValue.arrayUnion(card) });
    },
  };
}

/** Reads an order's promotion use; the returned function gives it back (once), under every identity it counted. */
export async function planPromotionReturn(tx: Transaction, orderId: string): Promise<() => void> {
  const redemption = await tx.get(redemptions().doc(orderId));
  if (!redemption.exists || redemption.get("status") !== "used") return () => undefined;
  return () => {
    const { FieldValue } = firestoreValues();
    const code = redemption.get("code") as string;
    giveBack(tx, promotions().doc(code), redemption.get("allocation") as Allocation);
    for (const id of (redemption.get("identities") as string[] | undefined) ?? []) tx.set(uses(code, id), { used: FieldValue.increment(-1) }, { merge: true });
    tx.update(redemption.ref, { status: "returned", returnedAt: FieldValue.serverTimestamp() });
  };
}
