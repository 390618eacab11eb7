/**
 * Provider outages, through the real SDKs and the local doubles (shared/provider-policies.ts):
 *
 * - Stripe down (fault plan): card checkouts fail until Stripe's breaker opens; then a card
 *   checkout answers `unavailable` at once with `retryAfterSeconds` and cash as the method that
 *   works, keeping nothing; a cash checkout still goes through; once Stripe is back and the
 *   cool-down has passed, card checkout works again.
 * - Twilio or FCM down (their doubles answering 503 / unavailable): each delivery attempt asks
 *   its queue to retry; once the breaker opens the attempts are refused before anything leaves;
 *   after healing and the cool-down each message is delivered exactly once.
 *
 * The notification attempts run in this process (as notification-faults.test.ts does), so they
 * share one instance's breaker, as one Cloud Run instance would; checkout runs in the Functions
 * emulator, whose idle worker serves the calls one after another.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { CALLABLES, CheckoutResponse } from "../../src/contract";
import { deliverTo, recipientOf, type Outgoing } from "../../src/notifications/delivery.service";
import { providerPolicy } from "../../src/shared/provider-policies";
import { ordersOf, restaurantWithStock, stockLeft, trattoriaCart } from "../support/checkout";
import { callError, randomPhone, signUpWithPhone, type AppClient } from "../support/emulators";
import { clearFaultPlan, setFaultPlan } from "../support/faults";
import { failFcm, failTwilio, fcmToken, ledgerOf, member, pushesTo, resetDoubles, smsTo, type Person } from "../support/notifications";

const COOL_DOWN_MS = Number(process.env.PROVIDER_BREAKER_COOLDOWN_SECONDS ?? 5) * 1000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An urgent message (quiet hours do not apply) to `person`, as the deliver task hands it over. */
function outgoing(run: string): Outgoing {
  return {
    source: `resilience-${run}`,
    type: "promotion",
    category: "promotions",
    critical: false,
    urgent: true,
    render: () => ({ title: "Half price desserts", body: "Until Sunday." }),
    data: { run },
  };
}

/** One attempt of the deliver task for `person`; "retry" when it asked its queue to retry. */
/**
 * Sends each person's message while `provider` is down: five calls reach it, its open breaker
 * refuses the rest before they leave, and every claim waits for the queue's next attempt.
 */
async function sendDuringOutage(provider: "twilio" | "fcm", channel: "sms" | "push", people: Person[], run: string, story: string): Promise<void> {
  const policy = providerPolicy(provider);
  const before = { ...policy.stats };
  for (const person of people) assert.equal(await attempt(person, run), "retry");
  const down = { attempted: policy.stats.attempted - before.attempted, shortCircuited: policy.stats.shortCircuited - before.shortCircuited };
  assert.deepEqual(down, { attempted: 5, shortCircuited: 2 }, story);
  for (const person of people) {
    const entry = (await ledgerOf(person.uid)).find((e) => e.source === `resilience-${run}` && e.channel === channel)!;
    assert.equal(entry.status, "retrying", `${person.uid}: waits for the queue's next attempt`);
  }
}

async function attempt(person: Person, run: string): Promise<"done" | "retry"> {
  const recipient = (await recipientOf(person.uid))!;
  try {
    await deliverTo(recipient, outgoing(run), { finalAttempt: false, defer: async () => undefined });
    return "done";
  } catch (error) {
    assert.equal((error as Error).name, "RetryLater", `a delivery attempt failed other than by asking to retry: ${String(error)}`);
    return "retry";
  }
}

describe("provider outages", () => {
  const clients: AppClient[] = [];
  afterEach(async () => {
    await clearFaultPlan();
    await resetDoubles();
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  it("Stripe down: card checkout is refused at once with cash offered once the breaker opens, cash still sells, and card comes back after healing", async () => {
    const customer = await signUpWithPhone();
    clients.push(customer);
    const { restaurantId, itemId } = await restaurantWithStock(20);
    const cart = (method: "card" | "cash") => ({ ...trattoriaCart(method), restaurantId, lines: [{ itemId, quantity: 1 }], idempotencyKey: randomUUID() });
    await setFaultPlan([{ point: "stripe.*", mode: "fail" }]);

    // Until the breaker opens, each card checkout reaches (the failing) Stripe and answers
    // unavailable; the breaker needs 5 outages in a row (a checkout retries its first call once).
    let refused: { code: string; details: Record<string, unknown> } | undefined;
    let refusedMs = 0;
    let ordersBefore = 0;
    let stockBefore = 0;
    for (let i = 0; i < 8 && !refused; i++) {
      ordersBefore = (await ordersOf(customer.user.uid)).length;
      stockBefore = await stockLeft(restaurantId, itemId);
      const started = Date.now();
      const error = await callError(customer.call(CALLABLES.placeOrder, cart("card")));
      assert.deepEqual([error.code, error.details.reason], ["functions/unavailable", "payments-unavailable"], JSON.stringify(error));
      if (error.details.availablePaymentMethods && (await ordersOf(customer.user.uid)).length === ordersBefore) {
        refused = error;
        refusedMs = Date.now() - started;
      }
    }
    assert.ok(refused, "no card checkout was refused up front (breaker open) within 8 tries");
    assert.deepEqual(refused.details.availablePaymentMethods, ["cash"]);
    assert.ok(Number(refused.details.retryAfterSeconds) >= 1 && Number(refused.details.retryAfterSeconds) <= COOL_DOWN_MS / 1000, `retryAfterSeconds ${String(refused.details.retryAfterSeconds)}`);
    assert.ok(refusedMs < 3_000, `the refusal took ${refusedMs} ms`);
    assert.equal(await stockLeft(restaurantId, itemId), stockBefore, "a refused card checkout reserves nothing");
    assert.equal((await ordersOf(customer.user.uid)).length, ordersBefore, "a refused card checkout creates no order");

    const cash = CheckoutResponse.parse(await customer.call(CALLABLES.placeOrder, cart("cash")));
    assert.equal(cash.status, "placed", "cash needs no provider and still sells");

    await clearFaultPlan();
    await sleep(Number(refused.details.retryAfterSeconds) * 1000 + 200);
    const card = CheckoutResponse.parse(await customer.call(CALLABLES.placeOrder, cart("card")));
    assert.equal(card.status, "awaiting_payment");
    assert.ok(card.payment?.paymentIntentClientSecret, "the healed Stripe started the payment");
  });

  it("Twilio down: SMS wait in their queue, refused before leaving once the breaker opens, and each is sent once after healing", async () => {
    const run = randomUUID().slice(0, 8);
    const { restaurantId } = await restaurantWithStock(1);
    const people: Person[] = [];
    for (let i = 0; i < 7; i++) people.push(await member(restaurantId, `${run}-sms-${i}`, { push: false, sms: true, phone: randomPhone(), tokens: [] }));
    await failTwilio({ to: ".", status: 503, code: 20500, count: 1000 });
    await sendDuringOutage("twilio", "sms", people, run, "five sends reach the failing Twilio, then the open breaker refuses the rest before they leave");

    await resetDoubles();
    await sleep(COOL_DOWN_MS + 200);
    for (const person of people) assert.equal(await attempt(person, run), "done");
    for (const person of people) {
      assert.equal((await smsTo(person.phone!)).length, 1, `${person.uid}: texted exactly once`);
      const entry = (await ledgerOf(person.uid)).find((e) => e.source === `resilience-${run}` && e.channel === "sms")!;
      assert.equal(entry.status, "queued");
    }
    // A redelivered task finds the claim and sends nothing more.
    assert.equal(await attempt(people[0], run), "done");
    assert.equal((await smsTo(people[0].phone!)).length, 1);
  });

  it("FCM down: pushes wait in their queue, refused before leaving once the breaker opens, and each is delivered once after healing", async () => {
    const run = randomUUID().slice(0, 8);
    const { restaurantId } = await restaurantWithStock(1);
    const people: Person[] = [];
    for (let i = 0; i < 7; i++) people.push(await member(restaurantId, `${run}-push-${i}`, { push: true, sms: false, tokens: [fcmToken()] }));
    for (const person of people) await failFcm({ token: person.tokens[0], error: "unavailable", count: 1000 });
    await sendDuringOutage("fcm", "push", people, run, "five sendEach calls reach the failing FCM, then the open breaker refuses the rest before they leave");

    await resetDoubles();
    await sleep(COOL_DOWN_MS + 200);
    for (const person of people) assert.equal(await attempt(person, run), "done");
    for (const person of people) {
      const delivered = (await pushesTo(person.tokens[0])).filter((m) => m.data.run === run);
      assert.equal(delivered.length, 1, `${person.uid}: pushed exactly once`);
    }
    assert.equal(await attempt(people[0], run), "done");
    assert.equal((await pushesTo(people[0].tokens[0])).filter((m) => m.data.run === run).length, 1);
  });
});
