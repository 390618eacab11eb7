/**
 * The SMS rules that need no emulator: which countries may be texted, which reasons an order
 * move accepts (codes, never free text), and the reason a typed-in phone number is refused with.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdminOrderAction, CancelOrderRequest, RestaurantOrderAction } from "../../src/contract/orders";
import { UpdateProfileRequest } from "../../src/contract/profile";
import { allowedPrefixes, maskPhone, numberRefusal, phoneAllowed } from "../../src/notifications/sms-admission";
import { DomainError } from "../../src/shared/errors";
import { parseOrThrow } from "../../src/shared/validation";

describe("SMS destinations", () => {
  const prefixes = allowedPrefixes("+34, +44,+1,,premium,+351");

  it("reads the allowed prefixes, ignoring what is not one", () => {
    assert.deepEqual(prefixes, ["+34", "+44", "+1", "+351"]);
  });

  it("texts only well-formed numbers in an allowed country", () => {
    assert.ok(phoneAllowed("+34600123456", prefixes));
    assert.ok(phoneAllowed("+447700900123", prefixes));
    assert.ok(phoneAllowed("+351912345678", prefixes));
    assert.ok(!phoneAllowed("+882161234567", prefixes), "international premium");
    assert.ok(!phoneAllowed("+2348012345678", prefixes));
    assert.ok(!phoneAllowed("+3460", prefixes), "too short");
    assert.ok(!phoneAllowed("34600123456", prefixes), "not E.164");
  });

  it("never texts a number Firebase Auth did not verify", () => {
    assert.equal(numberRefusal(null, false), "no-phone");
    assert.equal(numberRefusal("+34600123456", false), "phone-unverified");
  });

  it("masks a number for logs and the ledger", () => {
    assert.equal(maskPhone("+34600123456"), "+34•••3456");
  });
});

describe("order reasons are codes", () => {
  it("refuses free text from staff, customers and admins", () => {
    assert.equal(RestaurantOrderAction.safeParse({ orderId: "o1", action: "reject", reason: "Call +44 909 000 for a refund" }).success, false);
    assert.equal(RestaurantOrderAction.safeParse({ orderId: "o1", action: "reject", reason: "out-of-stock" }).success, true);
    assert.equal(CancelOrderRequest.safeParse({ orderId: "o1", reason: "win a prize" }).success, false);
    assert.equal(CancelOrderRequest.safeParse({ orderId: "o1", reason: "ordered-by-mistake" }).success, true);
    assert.equal(AdminOrderAction.safeParse({ orderId: "o1", action: "cancel", reason: "kitchen fire" }).success, false);
    assert.equal(AdminOrderAction.safeParse({ orderId: "o1", action: "cancel", reason: "other", note: "Kitchen fire, per the owner" }).success, true);
  });
});

describe("a typed-in phone number", () => {
  it("is refused with a reason that sends the app to Firebase Auth", () => {
    assert.throws(
      () => parseOrThrow(UpdateProfileRequest, { displayName: "Ana", phone: "+34600123456" }),
      (error: unknown) =>
        error instanceof DomainError &&
        error.code === "invalid-argument" &&
        error.extra.reason === "phone-verification-required" &&
        error.extra.fields?.map((f) => f.path).join() === "phone",
    );
    assert.throws(() => parseOrThrow(UpdateProfileRequest, { timeZone: "Moon/Base" }), (error: unknown) => error instanceof DomainError && error.extra.reason === "invalid-request");
  });
});
