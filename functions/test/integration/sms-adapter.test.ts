/**
 * The Twilio SMS adapter, with the real `twilio` SDK talking to the local Twilio double: a sent
 * message carries our sender and text, and each kind of refusal Twilio answers comes back as
 * what it means for us (stop, never retry, retry later).
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { SmsError } from "../../src/notifications/sms";
import { twilioSms as sms } from "../../src/notifications/twilio.adapter";
import { faultyLink, type FaultyLink } from "../support/faulty-link";
import { failTwilio } from "../support/notifications";

const TWILIO_DOUBLE = "http://127.0.0.1:12112";

async function failNext(to: string, status: number, code: number) {
  await fetch(`${TWILIO_DOUBLE}/_double/fail`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ to, status, code }) });
}

describe("Twilio SMS adapter", () => {
  let link: FaultyLink;
  before(async () => {
    link = await faultyLink(TWILIO_DOUBLE);
    // What the Functions runtime would provide from .env.local and .secret.local; the SDK
    // reaches the double through a link the transport tests break.
    process.env.TWILIO_API_URL = link.url;
    process.env.TWILIO_TIMEOUT_SECONDS = "2";
    process.env.TWILIO_ACCOUNT_SID ??= "AC00000000000000000000000000000000";
    process.env.TWILIO_SENDER ??= "MG00000000000000000000000000000000";
    process.env.TWILIO_AUTH_TOKEN ??= "local_double_auth_token";
  });
  afterEach(async () => {
    await link.set("forward");
    await fetch(`${TWILIO_DOUBLE}/_double/reset`, { method: "POST" });
  });
  after(() => link.close());

  it("sends through the messaging service, with the status callback", async () => {
    const receipt = await sms.send({ to: "+34600111222", body: "Tu pedido va de camino", statusCallback: "https://example.test/status" });
    assert.match(receipt.providerId, /^SM[0-9a-f]{32}$/);
    assert.equal(receipt.status, "queued");
    const sent = ((await (await fetch(`${TWILIO_DOUBLE}/_double/messages`)).json()) as Record<string, string>[]).find((m) => m.sid === receipt.providerId)!;
    assert.deepEqual([sent.to, sent.body, sent.messaging_service_sid, sent.status_callback], ["+34600111222", "Tu pedido va de camino", "MG00000000000000000000000000000000", "https://example.test/status"]);
  });

  for (const [code, status, kind, retryable] of [
    [21610, 400, "opted-out", false],
    [21211, 400, "invalid-number", false],
    [21614, 400, "invalid-number", false],
    [20429, 429, "throttled", true],
    [30001, 400, "throttled", true],
    [20500, 503, "unavailable", true],
    [21408, 400, "rejected", false],
  ] as const) {
    it(`treats Twilio ${code} (HTTP ${status}) as ${kind}${retryable ? ", to retry" : ", not to retry"}`, async () => {
      await failNext("\\+34600999000", status, code);
      await assert.rejects(sms.send({ to: "+34600999000", body: "x" }), (error: unknown) => {
        assert.ok(error instanceof SmsError, String(error));
        assert.deepEqual([error.kind, error.providerCode, error.retryable], [kind, code, retryable]);
        return true;
      });
    });
  }

  it("treats a refused connection as not sent, to retry", async () => {
    await link.set("refuse");
    await assert.rejects(sms.send({ to: "+34600999001", body: "x" }), (error: unknown) => {
      assert.ok(error instanceof SmsError, String(error));
      assert.deepEqual([error.kind, error.retryable], ["unavailable", true]);
      return true;
    });
  });

  for (const mode of ["hang", "drop"] as const) {
    it(`treats a message Twilio took but did not answer for (${mode}) as an unknown outcome, never to retry`, async () => {
      const to = `+3460099${mode === "hang" ? "1" : "2"}${String(Date.now()).slice(-3)}`;
      await failTwilio({ to: `\\${to}`, after: mode, count: 1 });
      await assert.rejects(sms.send({ to, body: "x" }), (error: unknown) => {
        assert.ok(error instanceof SmsError, String(error));
        assert.deepEqual([error.kind, error.retryable], ["unknown", false]);
        return true;
      });
    });
  }
});
