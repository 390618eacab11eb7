/**
 * What notifications say and when: every templated event reads well in both languages with the
 * order's details filled in, and quiet hours (spanning midnight, in the recipient's zone) hold
 * messages until they end.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { minutesUntilQuietEnds, quietHoursEnd } from "../../src/notifications/quiet-hours";
import { audienceOf, REASON_SENTENCES, renderOrderMessage, shortRef, type Audience } from "../../src/notifications/templates";
import { ORDER_STATES, orderEventType } from "../../src/orders/order-state";

const details = { orderId: "abcdefXYZ123", total: { amount: 2740, currency: "EUR" }, itemCount: 2, reason: "out-of-stock" };
const EXTRA_EVENTS = ["orders.v1.courier-offered", "orders.v1.courier-assigned"];

describe("notification templates", () => {
  it("covers every order event a person should hear of, in English and Spanish, filled in", () => {
    const types = [...ORDER_STATES.filter((s) => s !== "awaiting_payment").map(orderEventType), ...EXTRA_EVENTS];
    for (const type of types) {
      const audiences = audienceOf(type);
      assert.ok(audiences.length > 0, `${type} tells someone`);
      for (const audience of audiences) {
        const en = renderOrderMessage(type, audience, "en", details)!;
        const es = renderOrderMessage(type, audience, "es", details)!;
        for (const message of [en, es]) {
          assert.ok(message.title.length > 0 && message.body.length > 0, `${type} ${audience}`);
          assert.doesNotMatch(`${message.title} ${message.body}`, /undefined|null|NaN|\{|\}/, `${type} ${audience}`);
        }
        assert.notEqual(en.title, es.title, `${type} ${audience} is translated`);
      }
    }
  });

  it("fills in the order's details in each language's own way", () => {
    const placed = renderOrderMessage("orders.v1.placed", "customer", "es", details)!;
    assert.match(placed.title, /#XYZ123/);
    assert.match(placed.body, /27,40\s€/);
    assert.match(renderOrderMessage("orders.v1.placed", "customer", "en", details)!.body, /€27\.40/);
    assert.equal(renderOrderMessage("orders.v1.placed", "restaurant", "en", details)!.body, "2 items. Open the board to see it.");
    assert.match(renderOrderMessage("orders.v1.rejected", "customer", "es", details)!.body, /Se ha agotado algo de lo que pediste\./);
    assert.match(renderOrderMessage("orders.v1.rejected", "customer", "en", details)!.body, /Some of what you ordered has run out\./);
    assert.equal(shortRef("abc"), "#ABC");
  });

  it("never carries text a client or staff member wrote, only a fixed sentence per reason code", () => {
    // What an order written by the old code, or a hostile restaurant, could hold.
    const hostile = {
      ...details,
      restaurantName: "URGENT call +44 909 000",
      items: [{ name: "visit evil.example", quantity: 2 }],
      deliveryInstructions: "ring +44 909 111",
      reason: "Your card is blocked, call +44 909 222",
    };
    const types = [...ORDER_STATES.filter((s) => s !== "awaiting_payment").map(orderEventType), ...EXTRA_EVENTS];
    for (const type of types) {
      for (const audience of audienceOf(type)) {
        for (const locale of ["en", "es"] as const) {
          const { title, body } = renderOrderMessage(type, audience, locale, hostile)!;
          assert.doesNotMatch(`${title} ${body}`, /\+44|evil|URGENT|blocked/, `${type} ${audience} ${locale}`);
        }
      }
    }
    for (const [locale, code] of [["en", "kitchen-closed"], ["es", "too-busy"], ["en", "changed-mind"], ["es", "customer-request"]] as const) {
      assert.ok(REASON_SENTENCES[locale][code], `${code} has a ${locale} sentence`);
      assert.ok(renderOrderMessage("orders.v1.cancelled", "customer", locale, { ...details, reason: code })!.body.endsWith(REASON_SENTENCES[locale][code]));
    }
  });

  it("marks as critical what must reach the person even without a working device", () => {
    const critical = (type: string, audience: Audience = "customer") => renderOrderMessage(type, audience, "en", details)?.critical;
    assert.deepEqual(["orders.v1.rejected", "orders.v1.payment-failed", "orders.v1.picked-up"].map((t) => critical(t)), [true, true, true]);
    assert.deepEqual(["orders.v1.accepted", "orders.v1.delivered"].map((t) => critical(t)), [false, false]);
    assert.equal(renderOrderMessage("orders.v1.accepted", "restaurant", "en", details), undefined, "staff are not told of their own acceptance");
  });
});

describe("quiet hours", () => {
  const night = { start: "22:00", end: "07:00" };

  it("holds a message inside hours that span midnight, in the recipient's time zone", () => {
    // 23:30 in Madrid (UTC+1 in November) is 22:30 UTC.
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T22:30:00Z"), night, "Europe/Madrid"), 450);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-24T05:59:00Z"), night, "Europe/Madrid"), 1);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-24T06:00:00Z"), night, "Europe/Madrid"), 0, "07:00 local: over");
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T12:00:00Z"), night, "Europe/Madrid"), 0);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T22:30:00Z"), night, "UTC"), 510);
  });

  it("handles windows within a day, no window and an empty one", () => {
    const nap = { start: "14:00", end: "16:00" };
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T14:15:00Z"), nap, "UTC"), 105);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T16:00:00Z"), nap, "UTC"), 0);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T14:15:00Z"), null, "UTC"), 0);
    assert.equal(minutesUntilQuietEnds(new Date("2026-11-23T14:15:00Z"), { start: "10:00", end: "10:00" }, "UTC"), 0);
  });

  it("names the moment a held message may go out", () => {
    assert.equal(quietHoursEnd(new Date("2026-11-23T22:30:20Z"), night, "Europe/Madrid").toISOString(), "2026-11-24T06:00:00.000Z");
    const outside = new Date("2026-11-23T12:00:00Z");
    assert.equal(quietHoursEnd(outside, night, "Europe/Madrid"), outside);
  });
});
