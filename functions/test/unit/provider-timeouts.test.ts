/**
 * Every provider call ends within its timeout, however the provider misbehaves. The SDKs'
 * own timeouts only watch for a silent socket: a provider that answers its headers and then
 * trickles a byte now and then keeps the call open for ever. These doubles do exactly that,
 * on loopback, and each call must give up within its provider's timeout. The SDK clients are
 * built on first use, after `before` has pointed them at the double.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { fcmPush } from "../../src/notifications/fcm.adapter";
import { SmsError } from "../../src/notifications/sms";
import { twilioSms } from "../../src/notifications/twilio.adapter";
import { stripeGateway } from "../../src/payments/stripe.gateway";
import { DomainError } from "../../src/shared/errors";

/** A server that answers 200 and then sends a space every 200 ms, never ending the body. */
async function tricklingServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json" });
    const drip = setInterval(() => response.write(" "), 200);
    request.socket.on("close", () => clearInterval(drip));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Settles with the call's outcome, or with "pending" once `boundMs` has passed. */
async function within<T>(call: Promise<T>, boundMs: number): Promise<{ outcome: "resolved" | "rejected" | "pending"; value?: T; error?: unknown; ms: number }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), boundMs)));
  const settled = call.then(
    (value: T) => ({ outcome: "resolved" as const, value }),
    (error: unknown) => ({ outcome: "rejected" as const, error }),
  );
  const result = await Promise.race([settled, bound.then(() => ({ outcome: "pending" as const }))]);
  clearTimeout(timer);
  return { ...result, ms: Date.now() - started };
}

describe("provider timeouts", () => {
  let double: { url: string; server: Server };
  before(async () => {
    double = await tricklingServer();
    process.env.TWILIO_API_URL = double.url;
    process.env.TWILIO_TIMEOUT_SECONDS = "1";
    process.env.TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000";
    process.env.TWILIO_SENDER = "MG00000000000000000000000000000000";
    process.env.TWILIO_AUTH_TOKEN = "local_double_auth_token";
    process.env.STRIPE_API_URL = double.url;
    process.env.STRIPE_SECRET_KEY = "sk_test_local_double";
    process.env.STRIPE_TIMEOUT_SECONDS = "1";
    process.env.FCM_API_URL = double.url;
    process.env.FCM_TIMEOUT_SECONDS = "1";
    process.env.GCLOUD_PROJECT ??= "demo-food-delivery";
  });
  after(() => {
    double.server.closeAllConnections();
    double.server.close();
  });

  it("gives up on a Twilio send that trickles its answer, as an outcome unknown (never resent)", async () => {
    const result = await within(twilioSms.send({ to: "+34600111222", body: "x" }), 5_000);
    assert.equal(result.outcome, "rejected", `Twilio send still ${result.outcome} after ${result.ms} ms (TWILIO_TIMEOUT_SECONDS=1)`);
    assert.ok(result.error instanceof SmsError, String(result.error));
    assert.deepEqual([result.error.kind, result.error.retryable, result.error.transport], ["unknown", false, "ETIMEDOUT"]);
  });

  it("gives up on a Stripe call that trickles its answer, as payments unavailable", async () => {
    const result = await within(stripeGateway.inspect("pi_trickle"), 5_000);
    assert.equal(result.outcome, "rejected", `Stripe call still ${result.outcome} after ${result.ms} ms (STRIPE_TIMEOUT_SECONDS=1)`);
    assert.ok(result.error instanceof DomainError, String(result.error));
    assert.deepEqual([result.error.code, result.error.extra.reason], ["unavailable", "payments-unavailable"]);
  });

  it("gives up on an FCM sendEach that trickles its answer, as an outcome unknown (never resent)", async () => {
    const result = await within(fcmPush.sendEach([{ token: "t".repeat(40), title: "x", body: "y", data: {}, urgent: false }]), 5_000);
    assert.equal(result.outcome, "resolved", `FCM sendEach still ${result.outcome} after ${result.ms} ms (FCM_TIMEOUT_SECONDS=1)`);
    assert.deepEqual(result.value, [{ ok: false, failure: "unknown", providerCode: "transport:ETIMEDOUT" }]);
  });
});
