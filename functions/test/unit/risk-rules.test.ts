/**
 * The fraud rules table: every rule the contract names is in it once, a rule trips above its
 * limit and not at it, refusing beats holding, and an address is one key however it is spelt.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RISK_RULE_IDS } from "../../src/contract/risk";
import { addressKey } from "../../src/risk/checkout-risk.service";
import { checkRule, decideRisk, RISK_RULES, type RuleCheck } from "../../src/risk/rules";

const check = (rule: RuleCheck["rule"], tripped: boolean, action: RuleCheck["action"] = "hold"): RuleCheck => ({ rule, value: 1, limit: 1, action, tripped });

describe("fraud rules table", () => {
  it("has each rule of the contract once", () => {
    assert.deepEqual(RISK_RULES.map((r) => r.id).sort(), [...RISK_RULE_IDS].sort());
  });

  it("trips a rule above its limit, not at it", () => {
    const rule = { ...RISK_RULES[0], limit: () => 5 };
    assert.deepEqual([checkRule(rule, 5).tripped, checkRule(rule, 6).tripped], [false, true]);
    assert.deepEqual(checkRule(rule, 6), { rule: rule.id, value: 6, limit: 5, action: rule.action, tripped: true });
  });

  it("refuses when a refusing rule tripped, holds when only holding ones did, else allows", () => {
    assert.equal(decideRisk([check("orders-per-address", false), check("failed-payments-per-user", false, "refuse")]), "allow");
    assert.equal(decideRisk([check("orders-per-address", true), check("failed-payments-per-user", false, "refuse")]), "hold");
    assert.equal(decideRisk([check("orders-per-address", true), check("failed-payments-per-user", true, "refuse")]), "refuse");
  });

  it("keys an address by street, postal code and country, case, accents and punctuation folded", () => {
    const home = { line1: "Calle Mayor, 5", postalCode: "28013", country: "ES" };
    assert.equal(addressKey(home), addressKey({ line1: "  CALLE   MAYÓR 5. ", postalCode: "28013", country: "ES" }));
    assert.notEqual(addressKey(home), addressKey({ ...home, line1: "Calle Mayor 7" }));
    assert.notEqual(addressKey(home), addressKey({ ...home, country: "PT" }));
  });
});
