/**
 * The email rules that need no emulator: what an SMTP failure means for a resend, which
 * addresses are used and how the ledger shows them, and the receipt's message.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_PREFERENCES } from "../../src/contract/notifications";
import { classifySmtpError, EmailError, isEmailAddress, maskEmail } from "../../src/notifications/email";
import { renderOrderMessage } from "../../src/notifications/templates";

describe("SMTP failures", () => {
  it("never retries a permanent refusal (5xx); a bad mailbox at RCPT TO is an invalid address", () => {
    assert.equal(classifySmtpError(550, "RCPT TO"), "invalid-address");
    assert.equal(classifySmtpError(553, "RCPT TO"), "invalid-address");
    assert.equal(classifySmtpError(554, "DATA"), "rejected");
    assert.equal(classifySmtpError(552, "DATA"), "rejected");
    assert.equal(new EmailError("rejected", 554, "x").retryable, false);
  });

  it("retries a try-later (4xx) at any stage: the server did not take the message", () => {
    for (const command of ["RCPT TO", "DATA", "MAIL FROM"]) assert.equal(classifySmtpError(451, command), "throttled");
    assert.equal(classifySmtpError(421, "CONN"), "throttled");
    assert.equal(new EmailError("throttled", 451, "x").retryable, true);
  });

  it("resends what never reached the server: no connection, or a failure before DATA", () => {
    assert.equal(classifySmtpError(null, "CONN", "ECONNREFUSED"), "unavailable");
    assert.equal(classifySmtpError(null, "CONN", "ESOCKET"), "unavailable");
    assert.equal(classifySmtpError(null, "EHLO", "ETIMEDOUT"), "unavailable");
    assert.equal(classifySmtpError(null, undefined, "ECIRCUITOPEN"), "unavailable", "refused by the breaker before leaving");
  });

  it("calls unknown, and never resends, a send that got no final answer after the message went out", () => {
    assert.equal(classifySmtpError(null, "DATA", "ETIMEDOUT"), "unknown");
    assert.equal(classifySmtpError(null, undefined, "ETIMEDOUT"), "unknown", "our own timeout of the whole exchange");
    assert.equal(classifySmtpError(null, undefined, "ECONNRESET"), "unknown");
    assert.equal(new EmailError("unknown", null, "x").retryable, false);
  });
});

describe("email addresses", () => {
  it("sends only to what looks like one address", () => {
    assert.ok(isEmailAddress("ana@example.test"));
    for (const bad of [null, "", "ana", "ana@", "a b@example.test", "ana@example.test, eve@example.test", "<ana@example.test>"]) assert.ok(!isEmailAddress(bad), String(bad));
  });

  it("keeps only the first letter and the domain in the ledger and logs", () => {
    assert.equal(maskEmail("ana.garcia@example.test"), "a…@example.test");
  });
});

describe("the receipt's message", () => {
  it("is a receipt, by email unless the customer says otherwise, and may wait for the end of quiet hours", () => {
    const details = { orderId: "order-abc123", total: { amount: 3049, currency: "EUR" }, itemCount: 3 };
    const en = renderOrderMessage("receipts.v1.issued", "customer", "en", details)!;
    assert.deepEqual([en.category, en.urgent, en.critical], ["receipts", false, false]);
    assert.equal(en.title, "Your receipt for order #ABC123");
    assert.match(renderOrderMessage("receipts.v1.issued", "customer", "es", details)!.body, /Adjuntamos tu recibo \(30,49\s€\)/);
    assert.equal(renderOrderMessage("orders.v1.placed", "customer", "en", details)!.category, "orderUpdates");
    assert.deepEqual(DEFAULT_PREFERENCES.channels.receipts, { push: false, sms: false, email: true });
    assert.equal(DEFAULT_PREFERENCES.channels.orderUpdates.email, false, "order updates by email only when asked for");
  });
});
