/**
 * The small decisions notification delivery rests on: which FCM errors condemn a token, which
 * mean "later", how Twilio's statuses map to ours and that a report only ever moves a message
 * forward, and which order news may wait for quiet hours to end.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { movesForward, statusOfTwilio } from "../../src/notifications/ledger";
import { chunks, classifyFcmError, isDeadToken, isRetryablePush } from "../../src/notifications/push";
import { renderOrderMessage } from "../../src/notifications/templates";

describe("FCM errors", () => {
  it("removes a token only when FCM says the token itself is dead", () => {
    assert.equal(classifyFcmError("messaging/registration-token-not-registered", "Requested entity was not found."), "unregistered");
    assert.equal(classifyFcmError("messaging/invalid-registration-token", ""), "invalid-token");
    assert.equal(classifyFcmError("messaging/invalid-argument", "The registration token is not a valid FCM registration token"), "invalid-token");
    assert.equal(classifyFcmError("messaging/invalid-argument", "Invalid JSON payload received. Unknown name \"foo\""), "rejected", "a bad payload must not wipe devices");
    assert.equal(classifyFcmError("messaging/mismatched-credential", ""), "rejected");
    for (const kind of ["unregistered", "invalid-token"] as const) assert.ok(isDeadToken(kind));
    for (const kind of ["throttled", "unavailable", "rejected"] as const) assert.ok(!isDeadToken(kind));
  });

  it("retries quota and outages later", () => {
    for (const code of ["messaging/message-rate-exceeded", "messaging/quota-exceeded", "messaging/device-message-rate-exceeded"]) assert.equal(classifyFcmError(code, ""), "throttled");
    for (const code of ["messaging/server-unavailable", "messaging/internal-error", "messaging/unknown-error"]) assert.equal(classifyFcmError(code, ""), "unavailable");
    assert.ok(isRetryablePush("throttled") && isRetryablePush("unavailable") && !isRetryablePush("rejected"));
  });

  it("splits sends into calls of at most 500", () => {
    const sizes = chunks(Array.from({ length: 1201 }, (_, i) => i), 500).map((c) => c.length);
    assert.deepEqual(sizes, [500, 500, 201]);
  });
});

describe("SMS status reports", () => {
  it("maps Twilio's statuses to ours", () => {
    assert.deepEqual(["accepted", "queued", "sending", "sent", "delivered", "read", "undelivered", "failed", "receiving"].map(statusOfTwilio), ["queued", "queued", "queued", "sent", "delivered", "delivered", "failed", "failed", undefined]);
  });

  it("only moves a message forward", () => {
    assert.ok(movesForward("queued", "sent"));
    assert.ok(movesForward("sent", "delivered"));
    assert.ok(movesForward("queued", "failed"));
    assert.ok(!movesForward("delivered", "sent"), "a late sent never undoes delivered");
    assert.ok(!movesForward("delivered", "delivered"), "a duplicate changes nothing");
    assert.ok(!movesForward("failed", "delivered"));
  });
});

describe("which order news waits for quiet hours", () => {
  const details = { orderId: "abcdefXYZ123", restaurantName: "Trattoria", total: { amount: 2740, currency: "EUR" }, items: [{ name: "Carbonara", quantity: 2 }] };
  it("holds a refund notice, never an order in progress", () => {
    assert.equal(renderOrderMessage("orders.v1.refunded", "customer", "en", details)?.urgent, false);
    for (const type of ["orders.v1.placed", "orders.v1.accepted", "orders.v1.picked-up", "orders.v1.rejected", "orders.v1.payment-failed"]) {
      assert.equal(renderOrderMessage(type, "customer", "en", details)?.urgent, true, type);
    }
  });
});
