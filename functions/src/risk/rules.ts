/**
 * The fraud rules, in one table: what each rule counts, its limit and what a checkout that trips
 * it gets. Limits are params (shared/params.ts, `RISK_*`): no read per checkout, typed, and
 * changed by a deploy that is reviewed like code; the rules themselves (what is counted, refuse
 * or hold) are code, because changing them changes behaviour the tests pin down.
 *
 * A rule trips when its value is above its limit. Values: failed payments already recorded in
 * the window; orders in the window counting the one being checked out; the order's total.
 * Refusing beats holding: a checkout tripping both is refused. Pure, apart from reading params.
 */
import type { RiskRuleId } from "../contract/risk";
import {
  riskFailedPaymentsPerCard,
  riskFailedPaymentsPerUser,
  riskNewAccountHours,
  riskNewAccountMaxOrders,
  riskNewAccountMaxTotal,
  riskOrdersPerAddress,
  riskOrdersPerDevice,
  riskWindowHours,
} from "../shared/params";

/** The series the counters keep, one per kind of key (risk/counters.ts). */
export type RiskCounter = "failedPaymentsByUser" | "failedPaymentsByCard" | "ordersByAddress" | "ordersByDevice" | "ordersByNewAccount";

/** `refuse`: `permission-denied` / `risk-review`, nothing kept. `hold`: the order waits as `held` for an admin. */
export type RiskAction = "refuse" | "hold";

export type RiskMeasure =
  /** Events of a counter in the last `windowHours()`; `includesThisOrder` adds the checkout being judged. */
  | { kind: "count"; counter: RiskCounter; windowHours: () => number; includesThisOrder: boolean }
  /** The order's total, in minor units. */
  | { kind: "order-total" };

export interface RiskRule {
  id: RiskRuleId;
  measure: RiskMeasure;
  limit: () => number;
  action: RiskAction;
  /** Judged only for accounts younger than RISK_NEW_ACCOUNT_HOURS. */
  newAccountsOnly?: boolean;
}

export const RISK_RULES: readonly RiskRule[] = [
  // Card testing: many declines from one account, or of one card across accounts.
  {
    id: "failed-payments-per-user",
    measure: { kind: "count", counter: "failedPaymentsByUser", windowHours: () => riskWindowHours.value(), includesThisOrder: false },
    limit: () => riskFailedPaymentsPerUser.value(),
    action: "refuse",
  },
  {
    id: "failed-payments-per-card",
    measure: { kind: "count", counter: "failedPaymentsByCard", windowHours: () => riskWindowHours.value(), includesThisOrder: false },
    limit: () => riskFailedPaymentsPerCard.value(),
    action: "refuse",
  },
  // Many orders to one door or from one phone: often a reseller or stolen cards, sometimes an office.
  {
    id: "orders-per-address",
    measure: { kind: "count", counter: "ordersByAddress", windowHours: () => riskWindowHours.value(), includesThisOrder: true },
    limit: () => riskOrdersPerAddress.value(),
    action: "hold",
  },
  {
    id: "orders-per-device",
    measure: { kind: "count", counter: "ordersByDevice", windowHours: () => riskWindowHours.value(), includesThisOrder: true },
    limit: () => riskOrdersPerDevice.value(),
    action: "hold",
  },
  // A brand-new account has no history to judge it by: a few small orders, then a person looks.
  {
    id: "new-account-orders",
    measure: { kind: "count", counter: "ordersByNewAccount", windowHours: () => riskNewAccountHours.value(), includesThisOrder: true },
    limit: () => riskNewAccountMaxOrders.value(),
    action: "hold",
    newAccountsOnly: true,
  },
  {
    id: "new-account-total",
    measure: { kind: "order-total" },
    limit: () => riskNewAccountMaxTotal.value(),
    action: "hold",
    newAccountsOnly: true,
  },
];

/** One rule judged: what was counted, against what limit. Recorded with every decision. */
export interface RuleCheck {
  rule: RiskRuleId;
  value: number;
  limit: number;
  action: RiskAction;
  tripped: boolean;
}

export type RiskDecision = "allow" | "refuse" | "hold";

export function checkRule(rule: RiskRule, value: number): RuleCheck {
  const limit = rule.limit();
  return { rule: rule.id, value, limit, action: rule.action, tripped: value > limit };
}

/** The checkout's fate: refused if any refusing rule tripped, else held if any rule tripped. */
export function decideRisk(checks: readonly RuleCheck[]): RiskDecision {
  const tripped = checks.filter((c) => c.tripped);
  if (tripped.some((c) => c.action === "refuse")) return "refuse";
  return tripped.length > 0 ? "hold" : "allow";
}

/** Whether an account created at `createdAtMs` is new at `nowMs`; an account of unknown age is. */
export function isNewAccount(createdAtMs: number | undefined, nowMs: number): boolean {
  return createdAtMs === undefined || nowMs - createdAtMs < riskNewAccountHours.value() * 3_600_000;
}
