/**
 * The FCM adapter, with firebase-admin's messaging client talking to the local FCM double over
 * its own HTTP stack: each answer FCM gives (success, unregistered, invalid token, quota,
 * a passing outage) comes back as what it means for us, message by message, and no call takes
 * more than 500 messages.
 */
import assert from "node:assert/strict";
import { afterEach, before, describe, it } from "node:test";
import { fcmPush } from "../../src/notifications/fcm.adapter";
import { PUSH_BATCH_LIMIT } from "../../src/notifications/push";
import { failFcm, FCM_DOUBLE, fcmToken, pushesTo, resetDoubles } from "../support/notifications";

const message = (token: string) => ({ token, title: "Tu pedido va de camino", body: "Sale de Trattoria", data: { orderId: "o1" }, urgent: true });

describe("FCM push adapter", () => {
  before(() => {
    // What the Functions runtime would provide from .env.local.
    process.env.FCM_API_URL ??= FCM_DOUBLE;
  });
  afterEach(resetDoubles);

  it("sends each message and answers one outcome per message, in order", async () => {
    const ok = fcmToken();
    const quota = fcmToken();
    const down = fcmToken();
    await failFcm({ token: quota, error: "quota", count: 1 });
    await failFcm({ token: down, error: "unavailable", count: 1 });
    const outcomes = await fcmPush.sendEach([ok, fcmToken("unregistered"), fcmToken("invalid"), quota, down].map(message));
    assert.equal(outcomes.length, 5);
    assert.ok(outcomes[0].ok && /^projects\/demo-food-delivery\/messages\/\w+$/.test(outcomes[0].messageId), JSON.stringify(outcomes[0]));
    assert.deepEqual(
      outcomes.slice(1).map((o) => (o.ok ? "ok" : `${o.failure}:${o.providerCode}`)),
      // firebase-admin retries a 503 itself, so one passing outage costs nothing more.
      ["unregistered:messaging/registration-token-not-registered", "invalid-token:messaging/invalid-argument", "throttled:messaging/message-rate-exceeded", "ok"],
    );
    assert.equal((await pushesTo(down)).length, 1, "the retried message arrived once");
    const [seen] = await pushesTo(ok);
    assert.deepEqual([seen.title, seen.body, seen.data.orderId], ["Tu pedido va de camino", "Sale de Trattoria", "o1"]);
  });

  it(`refuses more than ${PUSH_BATCH_LIMIT} messages in one call`, async () => {
    const tooMany = Array.from({ length: PUSH_BATCH_LIMIT + 1 }, () => message(fcmToken()));
    await assert.rejects(fcmPush.sendEach(tooMany), RangeError);
  });
});
