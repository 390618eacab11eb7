/**
 * Fraud rules as the app and the admin console see them: the rule ids a decision names, and the
 * admin review of held orders. A checkout a rule refuses answers `permission-denied` with reason
 * `risk-review`; one a rule holds answers status `held` and waits for an admin.
 */
import { z } from "zod";
import { PAYMENT_METHODS } from "./checkout.js";
import { ORDER_STATES } from "./order-states.js";
import { Id, SafeText } from "./primitives.js";

/** Every fraud rule (the server's table: functions/src/risk/rules.ts). */
export const RISK_RULE_IDS = [
  "failed-payments-per-user",
  "failed-payments-per-card",
  "orders-per-address",
  "orders-per-device",
  "new-account-orders",
  "new-account-total",
] as const;
export type RiskRuleId = (typeof RISK_RULE_IDS)[number];

/** One rule as judged: the value counted, the limit, and whether the value was above it. */
export const RiskRuleCheck = z.object({
  rule: z.enum(RISK_RULE_IDS),
  value: z.number(),
  limit: z.number(),
  action: z.enum(["refuse", "hold"]),
  tripped: z.boolean(),
});
export type RiskRuleCheck = z.infer<typeof RiskRuleCheck>;

/** Held orders, oldest first: the review queue. `startAfter` is the last order id of the page before. */
export const ListHeldOrdersRequest = z.strictObject({
  limit: z.number().int().min(1).max(100).default(50),
  startAfter: Id.optional(),
});
export type ListHeldOrdersRequest = z.infer<typeof ListHeldOrdersRequest>;

export const HeldOrder = z.object({
  orderId: z.string(),
  restaurantId: z.string(),
  customerUid: z.string(),
  total: z.object({ amount: z.number().int(), currency: z.string() }),
  paymentMethod: z.enum(PAYMENT_METHODS),
  /** ISO 8601. */
  heldAt: z.string().nullable(),
  /** The rules that held it, with what they counted. */
  rules: z.array(RiskRuleCheck),
});
export type HeldOrder = z.infer<typeof HeldOrder>;

export const ListHeldOrdersResponse = z.object({
  orders: z.array(HeldOrder),
  /** Pass as `startAfter` for the next page; null on the last one. */
  nextStartAfter: z.string().nullable(),
});
export type ListHeldOrdersResponse = z.infer<typeof ListHeldOrdersResponse>;

/**
 * An admin's verdict on a held order. Approved, a card order awaits payment (the app checks out
 * again with the same idempotency key to get its payment sheet) and a cash order goes to the
 * restaurant; rejected, it is cancelled (reason `suspected-fraud`) and its stock and promo use are
 * given back. Audited; the note stays in the audit log.
 */
export const ReviewHeldOrderRequest = z.strictObject({
  orderId: Id,
  verdict: z.enum(["approve", "reject"]),
  note: SafeText({ multiline: true }).min(1).max(300).optional(),
});
export type ReviewHeldOrderRequest = z.infer<typeof ReviewHeldOrderRequest>;

export const ReviewHeldOrderResponse = z.object({
  orderId: z.string(),
  status: z.enum(ORDER_STATES),
  /** The `riskDecisions` record of the verdict. */
  decisionId: z.string(),
});
export type ReviewHeldOrderResponse = z.infer<typeof ReviewHeldOrderResponse>;
