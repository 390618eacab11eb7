/**
 * The client contract stays one with the server: every callable has its schemas in the map (and
 * the server's implementations take and give exactly those, checked by the typecheck), the
 * order table the app shows is the one the server enforces, every reason the server answers
 * with is in ERROR_REASONS, and the contract's version is the client package's, with a
 * CHANGELOG entry.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { z } from "zod";
import type * as bans from "../../src/admin/bans.service";
import type * as roles from "../../src/admin/roles.service";
import type * as phone from "../../src/auth/phone.service";
import type * as invoices from "../../src/billing/invoices.service";
import type * as profile from "../../src/auth/profile.service";
import type * as catalog from "../../src/catalog/catalog.service";
import type * as checkout from "../../src/checkout/checkout.service";
import { ATTENTION_REASONS, CALLABLE_SCHEMAS, CALLABLES, CONTRACT_VERSION, ERROR_REASONS, ORDER_TRANSITIONS, type CallableName, type CallableParsedRequest } from "../../src/contract";
import type * as quotes from "../../src/checkout/quote.service";
import type * as probes from "../../src/diagnostics/probe.service";
import type * as dispatch from "../../src/dispatch/dispatch.service";
import type * as tracking from "../../src/dispatch/tracking.service";
import type * as cash from "../../src/payments/cash-settlement.service";
import type * as broadcasts from "../../src/notifications/broadcast.service";
import type * as devices from "../../src/notifications/devices.service";
import type * as deadLetterReplay from "../../src/ops/dead-letter-replay.service";
import type * as orderTraces from "../../src/ops/order-trace.service";
import { ATTENTION_MESSAGES } from "../../src/orders/attention";
import type * as actions from "../../src/orders/actions.service";
import type * as review from "../../src/risk/review.service";
import { TRANSITIONS } from "../../src/orders/order-state";
import type { CallableImpl } from "../../src/shared/callable";

const FUNCTIONS = join(__dirname, "..", "..");
const REPO = join(FUNCTIONS, "..");

/** The server's implementation of each callable, by its key in CALLABLES. */
interface Implementations {
  startProbe: typeof probes.startProbe;
  setUserRole: typeof roles.setUserRole;
  banUser: typeof bans.banUser;
  unbanUser: typeof bans.unbanUser;
  listHeldOrders: typeof review.listHeldOrders;
  reviewHeldOrder: typeof review.reviewHeldOrder;
  updateProfile: typeof profile.updateProfile;
  deleteAccount: typeof profile.deleteAccount;
  syncPhone: typeof phone.syncPhone;
  saveRestaurant: typeof catalog.saveRestaurant;
  saveCategory: typeof catalog.saveCategory;
  deleteCategory: typeof catalog.deleteCategory;
  saveItem: typeof catalog.saveItem;
  deleteItem: typeof catalog.deleteItem;
  importMenu: typeof catalog.importMenu;
  placeOrder: typeof checkout.checkout;
  quoteCart: typeof quotes.quoteCart;
  restaurantOrderAction: typeof actions.restaurantAction;
  cancelOrder: typeof actions.cancelOrder;
  requestInvoice: typeof invoices.requestInvoice;
  adminOrderAction: typeof actions.adminAction;
  updateCourierStatus: typeof dispatch.updateCourierStatus;
  courierOrderAction: typeof dispatch.courierAction;
  reportLocation: typeof tracking.reportLocation;
  recordCashCollection: typeof cash.recordCashCollection;
  registerDevice: typeof devices.registerDevice;
  unregisterDevice: typeof devices.unregisterDevice;
  updateNotificationPreferences: typeof devices.updatePreferences;
  startBroadcast: typeof broadcasts.startBroadcastCallable;
  resumeBroadcast: typeof broadcasts.resumeBroadcastCallable;
  replayDeadLetter: typeof deadLetterReplay.replayDeadLetterCallable;
  orderTrace: typeof orderTraces.orderTraceCallable;
}

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** True when the implementation takes exactly the parsed request and gives what the response schema describes. */
type Agrees<N extends CallableName> =
  Implementations[N] extends CallableImpl<infer I, infer O>
    ? Same<I, CallableParsedRequest<N>> extends true
      ? [O] extends [z.output<(typeof CALLABLE_SCHEMAS)[N]["response"]>]
        ? true
        : false
      : false
    : false;
// A callable whose implementation and contract disagree turns its entry into `false`: the typecheck fails here.
const agreement: { [N in CallableName]: Agrees<N> } = {
  startProbe: true,
  setUserRole: true,
  banUser: true,
  unbanUser: true,
  listHeldOrders: true,
  reviewHeldOrder: true,
  updateProfile: true,
  deleteAccount: true,
  syncPhone: true,
  saveRestaurant: true,
  saveCategory: true,
  deleteCategory: true,
  saveItem: true,
  deleteItem: true,
  importMenu: true,
  placeOrder: true,
  quoteCart: true,
  restaurantOrderAction: true,
  cancelOrder: true,
  requestInvoice: true,
  adminOrderAction: true,
  updateCourierStatus: true,
  courierOrderAction: true,
  reportLocation: true,
  recordCashCollection: true,
  registerDevice: true,
  unregisterDevice: true,
  updateNotificationPreferences: true,
  startBroadcast: true,
  resumeBroadcast: true,
  replayDeadLetter: true,
  orderTrace: true,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".ts"))
    .map((file) => join(dir, file));
}

/** The argument at `index` of the call that opens at `from` (depth 0 commas), trimmed. */
function argumentAt(text: string, from: number, index: number): string | undefined {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = from; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"' || c === "'" || c === "`") {
      // A string is one piece, commas and brackets in it included (a template's ${} has no quote of its kind).
      const end = text.indexOf(c, i + 1);
      current += text.slice(i, end + 1);
      i = end;
      continue;
    }
    if ("([{".includes(c)) depth += 1;
    if (")]}".includes(c)) {
      if (depth === 0) break;
      depth -= 1;
    }
    if (c === "," && depth === 0) {
      args.push(current.trim());
      current = "";
    } else current += c;
  }
  args.push(current.trim());
  return args[index];
}

/** The helpers that build a DomainError from a reason argument, and that argument's position. */
const REASON_ARGUMENT: Record<string, number> = { failedPrecondition: 1, permissionDenied: 1, notFound: 1, resourceExhausted: 2, refuse: 1 };

/** `reason: "…"` literals that are not answers to a client: delivery records and internal decisions. */
const NOT_ERROR_REASONS = new Set([
  "preference", // a notification skipped by the user's choice (message ledger)
  "no-device", // a push skipped for want of a device (message ledger)
  "no-email", // an email skipped for want of an address (message ledger)
  "lease-expired", // a message claim that ran out (message ledger)
  "not-in-progress", // a ban move's decision, mapped to an answer by the caller
  "no-open-offer", // an offer decision, mapped to an answer by the caller
  "not-this-offer", // an offer decision, mapped to an answer by the caller
  "event-type-not-handled", // a Stripe webhook acknowledgement, not an error
  "suspected-fraud", // a rejected held order's cancellation reason (contract ADMIN_REASONS), not an error
  "low-stock", // a cart quote's warning that few units are left, never a refusal
]);

/** Every reason the server's code can put on an error, found in the source. */
function reasonsInSource(): Map<string, string> {
  const texts = sources(join(FUNCTIONS, "src")).map((file) => ({ file, text: readFileSync(file, "utf8") }));
  const constants = new Map<string, string>();
  for (const { text } of texts) for (const [, name, value] of text.matchAll(/\b([A-Z][A-Z0-9_]+) = "([a-z0-9-]+)"/g)) constants.set(name, value);
  const found = new Map<string, string>();
  for (const { file, text } of texts) {
    const where = file.slice(FUNCTIONS.length + 1);
    for (const [, literal] of text.matchAll(/\breason: "([a-z0-9-]+)"/g)) found.set(literal, where);
    for (const [, literal] of text.matchAll(/\breason = "([a-z0-9-]+)"/g)) found.set(literal, where);
    for (const [, name] of text.matchAll(/\breason: ([A-Z][A-Z0-9_]+)\b/g)) if (constants.has(name)) found.set(constants.get(name)!, where);
    for (const match of text.matchAll(/\b(failedPrecondition|permissionDenied|notFound|resourceExhausted|refuse)\(/g)) {
      const argument = argumentAt(text, match.index + match[0].length, REASON_ARGUMENT[match[1]]);
      const literal = /^"([a-z0-9-]+)"$/.exec(argument ?? "")?.[1];
      if (literal) found.set(literal, where);
    }
  }
  for (const reason of NOT_ERROR_REASONS) found.delete(reason);
  return found;
}

describe("client contract", () => {
  it("maps every callable to its request and response schemas", () => {
    assert.deepEqual(Object.keys(CALLABLE_SCHEMAS).sort(), Object.keys(CALLABLES).sort());
    assert.ok(Object.values(agreement).every(Boolean));
  });

  it("shows the app the transitions table the server enforces", () => {
    assert.equal(TRANSITIONS, ORDER_TRANSITIONS, "orders/order-state.ts decides with the contract's table itself");
  });

  it("knows every attention reason the server flags an order with", () => {
    assert.deepEqual([...ATTENTION_REASONS].sort(), Object.keys(ATTENTION_MESSAGES).sort());
  });

  it("lists every error reason the server answers with", () => {
    const found = reasonsInSource();
    assert.ok(found.has("out-of-stock") && found.has("rate-limited") && found.has("phone-country-not-allowed"), "the scan itself works");
    const missing = [...found].filter(([reason]) => !(ERROR_REASONS as readonly string[]).includes(reason)).map(([reason, file]) => `${reason} (${file})`);
    assert.deepEqual(missing, [], "add these to ERROR_REASONS in functions/src/contract/errors.ts");
    const unused = ERROR_REASONS.filter((reason) => !found.has(reason));
    assert.deepEqual(unused, [], "ERROR_REASONS names a reason nothing answers with");
  });

  it("carries the client package's version, with a CHANGELOG entry for it", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "packages", "client", "package.json"), "utf8")) as { version: string };
    assert.equal(CONTRACT_VERSION, pkg.version);
    const changelog = readFileSync(join(REPO, "packages", "client", "CHANGELOG.md"), "utf8");
    assert.match(changelog, new RegExp(`^## ${CONTRACT_VERSION.replace(/\./g, "\\.")}\\b`, "m"));
  });
});
