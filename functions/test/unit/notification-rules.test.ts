/**
 * The small decisions notification delivery rests on: which FCM errors condemn a token, which
 * mean "later", how Twilio's statuses map to ours and that a report only ever moves a message
 * forward, and which order news may wait for quiet hours to end.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canMove, isClaimable, MESSAGE_STATUSES, movesForward, statusOfTwilio } from "../../src/notifications/ledger";
import { chunks, classifyFcmError, classifyFcmTransportError, isDeadToken, isRetryablePush, pushVerdict } from "../../src/notifications/push";
import { classifyTwilioError } from "../../src/notifications/sms";
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

  it("retries a message that got no answer only when the connection never came up", () => {
    assert.equal(classifyFcmError("app/network-error", "Error while making request: connect ECONNREFUSED 127.0.0.1:443. Error code: ECONNREFUSED"), "unavailable");
    assert.equal(classifyFcmError("app/network-error", "Error while making request: getaddrinfo ENOTFOUND fcm.googleapis.com. Error code: ENOTFOUND"), "unavailable");
    assert.equal(classifyFcmError("app/network-error", "Error while making request: socket hang up. Error code: ECONNRESET"), "unknown");
    assert.equal(classifyFcmError("app/network-timeout", "Error while making request: timeout of 10000ms exceeded."), "unknown");
    assert.equal(classifyFcmTransportError(new Error("Session error while making requests: GOAWAY")), "unknown", "a failed call proves nothing");
    assert.equal(classifyFcmTransportError(Object.assign(new Error("connect failed"), { code: "ECONNREFUSED" })), "unavailable");
  });

  it("never retries a person one of whose devices may have the message", () => {
    const unknown = { ok: false as const, failure: "unknown" as const, providerCode: "app/network-error:ECONNRESET" };
    const later = { ok: false as const, failure: "unavailable" as const, providerCode: "app/network-error:ECONNREFUSED" };
    assert.deepEqual([pushVerdict([later, unknown], false).status, pushVerdict([later, unknown], false).reason], ["unknown", "connection-lost"]);
    assert.equal(pushVerdict([{ ok: false, failure: "unknown", providerCode: "app/network-timeout:ETIMEDOUT" }], false).reason, "provider-timeout");
    assert.equal(pushVerdict([later], false).status, "retrying");
    assert.equal(pushVerdict([unknown, { ok: true, messageId: "m1" }], false).status, "sent");
  });

  it("splits sends into calls of at most 500", () => {
    const sizes = chunks(Array.from({ length: 1201 }, (_, i) => i), 500).map((c) => c.length);
    assert.deepEqual(sizes, [500, 500, 201]);
  });
});

describe("Twilio sends that got no answer", () => {
  it("retries only what never reached Twilio; a timeout or a reset is unknown", () => {
    assert.equal(classifyTwilioError(null, null, "ECONNREFUSED"), "unavailable");
    assert.equal(classifyTwilioError(null, null, "EAI_AGAIN"), "unavailable");
    for (const transport of ["ECONNABORTED", "ETIMEDOUT", "ECONNRESET", undefined]) assert.equal(classifyTwilioError(null, null, transport), "unknown", String(transport));
    assert.equal(classifyTwilioError(20500, 503), "unavailable", "an answer saying the provider failed is not unknown");
  });
});

describe("the ledger's statuses", () => {
  it("claims only what nobody is sending, has sent or may have sent", () => {
    assert.deepEqual(MESSAGE_STATUSES.filter((s) => isClaimable(s)), ["retrying", "deferred"]);
    assert.ok(isClaimable(undefined));
  });

  it("settles an unknown outcome only from what the provider reports, and never resends it", () => {
    for (const to of ["queued", "sent", "delivered", "failed"] as const) assert.ok(canMove("unknown", to), to);
    for (const to of ["sending", "retrying", "skipped", "deferred"] as const) assert.ok(!canMove("unknown", to), to);
    assert.ok(canMove("sending", "unknown"));
    for (const from of ["delivered", "failed", "skipped"] as const) assert.ok(MESSAGE_STATUSES.every((to) => !canMove(from, to)), `${from} is final`);
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
  const details = { orderId: "abcdefXYZ123", total: { amount: 2740, currency: "EUR" }, itemCount: 2 };
  it("holds a refund notice, never an order in progress", () => {
    assert.equal(renderOrderMessage("orders.v1.refunded", "customer", "en", details)?.urgent, false);
    for (const type of ["orders.v1.placed", "orders.v1.accepted", "orders.v1.picked-up", "orders.v1.rejected", "orders.v1.payment-failed"]) {
      assert.equal(renderOrderMessage(type, "customer", "en", details)?.urgent, true, type);
    }
  });
});
