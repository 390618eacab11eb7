/**
 * The fraud rules applied to a checkout: reads the counters each rule needs (before the
 * transaction that creates the order, without locks; again in it, locked, for a count near its
 * limit), judges every rule (risk/rules.ts) in that transaction and, for an order that goes
 * ahead (allowed or held), counts it and records the decision in the same commit. A refused
 * checkout throws `RiskRefusal` from the transaction, so it keeps nothing; its decision is
 * recorded afterwards (`recordRefusal`).
 *
 * Reads per checkout: one query each for the account's failed payments, each card among them
 * (at most MAX_CARDS), the address, the device (when sent) and a new account's orders (at least
 * one read each, one per hour document found); two more for a count past half its limit.
 * Writes: one counter per order series, one decision.
 */
import type { DocumentReference, Transaction } from "firebase-admin/firestore";
import type { Address } from "../contract/profile";
import { COLLECTIONS } from "../shared/collections";
import { DomainError } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { keyedHash } from "../shared/pseudonym";
import { countEvent, readWindow, seriesRef } from "./counters";
import { checkRule, decideRisk, isNewAccount, RISK_RULES, type RiskCounter, type RiskDecision, type RiskRule, type RuleCheck } from "./rules";

/** Cards of an account's recent failures whose own failures are read: enough for a card tester's rotation. */
export const MAX_CARDS = 3;

export interface CheckoutSubject {
  uid: string;
  deliveryAddress: Pick<Address, "line1" | "postalCode" | "country">;
  deviceId?: string;
  /** The order's total, minor units. */
  total: number;
  /** When the account was created (its profile's `createdAt`), if known: unknown counts as new. */
  accountCreatedAtMs?: number;
}

export interface RiskAssessment {
  decision: RiskDecision;
  checks: RuleCheck[];
  /** Counts the order in its series and records the decision, in the order's transaction (after every read). */
  record: (tx: Transaction, orderId: string, correlationId: string) => void;
}

/** A checkout the rules refuse: `permission-denied` / `risk-review`; the client learns no rule. */
export class RiskRefusal extends DomainError {
  constructor(readonly checks: RuleCheck[]) {
    super("permission-denied", "This order cannot be placed right now. Contact support if you think this is a mistake.", { reason: "risk-review" });
  }
}

/**
 * An address as a key: street line, postal code and country, case, accents and punctuation folded. The
 * second line (flat, floor) is left out on purpose: varying it must not make a new address.
 */
export function addressKey(address: CheckoutSubject["deliveryAddress"]): string {
  const fold = (text: string) =>
    text
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ")
      .trim();
  return [address.country, fold(address.postalCode), fold(address.line1)].join("|");
}

/** Each counter's key for this checkout, as a keyed hash; absent when the rule has nothing to count. */
function seriesOf(subject: CheckoutSubject, newAccount: boolean): Partial<Record<RiskCounter, DocumentReference>> {
  const user = keyedHash("uid", subject.uid);
  return {
    failedPaymentsByUser: seriesRef("failedPaymentsByUser", user),
    ordersByAddress: seriesRef("ordersByAddress", keyedHash("address", addressKey(subject.deliveryAddress))),
    ...(subject.deviceId ? { ordersByDevice: seriesRef("ordersByDevice", keyedHash("device", subject.deviceId)) } : {}),
    ...(newAccount ? { ordersByNewAccount: seriesRef("ordersByNewAccount", user) } : {}),
  };
}

/** What the rules read before the checkout's transaction, without locks. */
export interface RiskPeek {
  subject: CheckoutSubject;
  nowMs: number;
  rules: RiskRule[];
  series: Partial<Record<RiskCounter, DocumentReference>>;
  counted: Map<RiskCounter, number>;
}

/**
 * A count the checkout adds to is read again, locked, in the transaction once it is past this
 * share of its limit: far from the limit a burst of checkouts of one key (an office's address)
 * cannot reach it and need not take turns; near it they do, and the count is exact.
 */
const LOCKED_FROM_SHARE_OF_LIMIT = 0.5;

/** Reads every counter the rules need, before the transaction and without locks. */
export async function peekCheckoutRisk(subject: CheckoutSubject, nowMs: number): Promise<RiskPeek> {
  const newAccount = isNewAccount(subject.accountCreatedAtMs, nowMs);
  const series = seriesOf(subject, newAccount);
  const rules = RISK_RULES.filter((rule) => !rule.newAccountsOnly || newAccount);
  const counted = new Map<RiskCounter, number>();
  await Promise.all(
    rules.map(async (rule) => {
      const { measure } = rule;
      if (measure.kind !== "count" || measure.counter === "failedPaymentsByCard") return;
      const ref = series[measure.counter];
      if (!ref) return;
      const read = await readWindow(null, ref, measure.windowHours(), nowMs);
      counted.set(measure.counter, read.count);
      // The account's failures name the cards that failed: each card's failures on any account count too.
      if (measure.counter === "failedPaymentsByUser") {
        const cards = [...new Set(read.hours.flatMap((h) => (h.cards as string[] | undefined) ?? []))].slice(0, MAX_CARDS);
        const cardRule = rules.find((r) => r.measure.kind === "count" && r.measure.counter === "failedPaymentsByCard");
        if (!cardRule || cardRule.measure.kind !== "count") return;
        const window = cardRule.measure.windowHours();
        const perCard = await Promise.all(cards.map(async (card) => (await readWindow(null, seriesRef("failedPaymentsByCard", card), window, nowMs)).count));
        counted.set("failedPaymentsByCard", Math.max(0, ...perCard));
      }
    }),
  );
  return { subject, nowMs, rules, series, counted };
}

/**
 * Judges the rules in the checkout's transaction: the counts it adds to that are near their
 * limit are read again there, locked. Only reads: call before the transaction's writes.
 */
export async function assessCheckout(tx: Transaction, peek: RiskPeek): Promise<RiskAssessment> {
  const { subject, nowMs, rules, series } = peek;
  const counted = new Map(peek.counted);
  const toCount: DocumentReference[] = [];
  await Promise.all(
    rules.map(async (rule) => {
      const { measure } = rule;
      if (measure.kind !== "count" || !measure.includesThisOrder) return;
      const ref = series[measure.counter];
      const seen = counted.get(measure.counter);
      if (!ref || seen === undefined) return;
      toCount.push(ref);
      if (seen + 1 > rule.limit() * LOCKED_FROM_SHARE_OF_LIMIT) counted.set(measure.counter, (await readWindow(tx, ref, measure.windowHours(), nowMs, true)).count);
    }),
  );
  const checks = rules.flatMap((rule): RuleCheck[] => {
    const { measure } = rule;
    if (measure.kind === "order-total") return [checkRule(rule, subject.total)];
    const value = counted.get(measure.counter);
    if (value === undefined) return [];
    return [checkRule(rule, value + (measure.includesThisOrder ? 1 : 0))];
  });
  const decision = decideRisk(checks);
  return {
    decision,
    checks,
    record(tx, orderId, correlationId) {
      for (const ref of toCount) countEvent(tx, ref, nowMs);
      tx.create(decisionsOf().doc(`checkout-${orderId}`), decisionRecord({ kind: "checkout", decision, orderId, uid: subject.uid, checks, correlationId }));
    },
  };
}

/** Records a refused checkout's decision (nothing else was kept). */
export async function recordRefusal(refusal: RiskRefusal, uid: string, correlationId: string): Promise<void> {
  await decisionsOf().add(decisionRecord({ kind: "checkout", decision: "refuse", orderId: null, uid, checks: refusal.checks, correlationId }));
}

const decisionsOf = () => db().collection(COLLECTIONS.riskDecisions);

/**
 * A `riskDecisions` record: the decision, every rule judged with its value and limit, and the
 * rules that tripped. The customer appears only as a keyed hash; admins alone read these.
 */
export function decisionRecord(entry: {
  kind: "checkout" | "review";
  decision: RiskDecision | "approve" | "reject";
  orderId: string | null;
  uid: string;
  checks: RuleCheck[];
  correlationId: string;
  actorUid?: string;
}) {
  const { FieldValue } = firestoreValues();
  const { uid, actorUid, ...rest } = entry;
  return {
    ...rest,
    ...(actorUid ? { actorUid } : {}),
    subject: keyedHash("uid", uid),
    tripped: entry.checks.filter((c) => c.tripped).map((c) => c.rule),
    at: FieldValue.serverTimestamp(),
  };
}
