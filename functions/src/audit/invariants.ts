/**
 * The invariant auditor: reads the data (and, where it can, what Stripe, FCM and Twilio
 * received) and lists every place where the workflow's promises do not hold. Each check is
 * named; each violation names its document and the figures that disagree. Read-only: it never
 * writes to Firestore or to a provider.
 *
 * Collections are read page by page (`limit` + `startAfter`), so memory stays bounded by a
 * page, plus one number per tracked item (stock) and per identity (account, phone, card) of one promo code.
 * The reads are not one snapshot: a check run during traffic may catch work in flight (a
 * checkout between its reservation and the audit's read of the shards); run it again, or on a
 * quiet system, before acting on a single stock or promo mismatch.
 */
import type { DocumentSnapshot, Firestore, Query, Timestamp } from "firebase-admin/firestore";
import type Stripe from "stripe";
import { inventoryId } from "../catalog/catalog.model";
import { SENDING_LEASE_MS } from "../notifications/ledger";
import { maskPhone } from "../notifications/sms-admission";
import { FOLLOW_UP_GRACE_MS, stallOf, type FollowUpFields } from "../orders/follow-ups";
import { GIVEN_UP_STATES, ORDER_STATES, TERMINAL_STATES, type OrderState } from "../orders/order-state";
import { DELIVERY_CONTACT_FIELDS } from "../orders/personal-data";
import { OUTBOX_OVERDUE_MS } from "../orders/outbox-sweep";
import { COLLECTIONS } from "../shared/collections";
import { shapedQuery } from "../shared/queries";
import { documentsById, eachLimited, IN_LIMIT, pages, runs, type Scope } from "./scan";

export const CHECKS = [
  "stock-conservation",
  "promo-conservation",
  "one-order-per-key",
  "payments",
  "one-notification-per-recipient",
  "no-stuck-sending",
  "outbox-published",
  "orders-followed-up",
  "dead-letters-open",
  "delivery-contact-closed",
] as const;
export type CheckName = (typeof CHECKS)[number];

export interface Violation {
  check: CheckName;
  /** The document the violation is about, e.g. `inventory/r1__pasta`. */
  path: string;
  /** What is wrong, in a sentence. */
  problem: string;
  figures: Record<string, number | string | null>;
}

export interface CheckResult {
  name: CheckName;
  /** Documents (or items, promo codes, orders) the check looked at. */
  checked: number;
  violations: number;
  /** Why the check did not run, or ran only in part. */
  note?: string;
  /** The check could not finish (a read failed): its count of violations proves nothing. */
  failed?: string;
}

export interface AuditReport {
  checks: CheckResult[];
  violations: Violation[];
}

export interface AuditOptions {
  /** The time deadlines are measured against (ms since the epoch); now by default. */
  now?: number;
  /**
   * Audit only what belongs to these restaurants (their stock, their orders), orders and promo
   * codes. Without a scope, everything is audited.
   */
  scope?: { restaurantIds?: string[]; orderIds?: string[]; promoCodes?: string[] };
  /** Run only these checks. */
  only?: CheckName[];
  /** Documents per page read. */
  pageSize?: number;
  /** A Stripe client that can read payment intents and refunds; without one `payments` is skipped. */
  stripe?: Stripe | null;
  /**
   * Base URLs of the local FCM and Twilio doubles, whose records of what they received let the
   * notification check count real sends. Real providers keep no such record: without these,
   * only the ledger's own consistency is checked.
   */
  providerDoubles?: { fcm?: string; twilio?: string };
}

/** Units of stock held by reservations. */
const HOLDING = ["reserved", "committed"];
/** Ledger statuses that say a provider took the message. */
const PROVIDER_TOOK = ["queued", "sent", "delivered"];
const NON_TERMINAL = ORDER_STATES.filter((s) => !TERMINAL_STATES.includes(s));

interface Context {
  db: Firestore;
  now: number;
  size: number;
  /** Null when everything is audited. */
  scope: Scope | null;
  options: AuditOptions;
  report(violation: Violation): void;
}

type Check = (ctx: Context) => Promise<{ checked: number; note?: string }>;

const millis = (value: unknown) => (value as Timestamp | null | undefined)?.toMillis?.() ?? null;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const num = (value: unknown) => (typeof value === "number" ? value : 0);

/** Reads everything the options cover and returns each check's counts and every violation. */
export async function auditInvariants(db: Firestore, options: AuditOptions = {}): Promise<AuditReport> {
  const violations: Violation[] = [];
  const ctx: Context = {
    db,
    now: options.now ?? Date.now(),
    size: options.pageSize ?? 300,
    scope: options.scope ? await resolveScope(db, options.scope) : null,
    options,
    report: (v) => violations.push(v),
  };
  const checks: CheckResult[] = [];
  for (const name of CHECKS) {
    if (options.only && !options.only.includes(name)) continue;
    const before = violations.length;
    try {
      const { checked, note } = await IMPLEMENTATIONS[name](ctx);
      checks.push({ name, checked, violations: violations.length - before, ...(note ? { note } : {}) });
    } catch (error) {
      checks.push({ name, checked: 0, violations: violations.length - before, failed: (error as Error).message ?? String(error) });
    }
  }
  return { checks, violations };
}

/** The scope's orders: those named, and every order of the restaurants named. */
async function resolveScope(db: Firestore, scope: NonNullable<AuditOptions["scope"]>): Promise<Scope> {
  const orderIds = new Set(scope.orderIds ?? []);
  for (const run of runs(scope.restaurantIds ?? [], IN_LIMIT)) {
    const query = shapedQuery("ordersOfRestaurantsById", db, run).select();
    for await (const page of pages(query, 500)) for (const doc of page) orderIds.add(doc.id);
  }
  return { restaurantIds: new Set(scope.restaurantIds ?? []), orderIds, promoCodes: new Set(scope.promoCodes ?? []) };
}

/**
 * The documents of `collection` tied to the scope's orders (by their `orderId` field), or, with
 * no scope, those `unscoped` selects. `keep` filters either in memory.
 */
async function* orderLinked(ctx: Context, collection: keyof typeof OF_ORDERS, unscoped: (db: Firestore) => Query, keep: (doc: DocumentSnapshot) => boolean) {
  if (!ctx.scope) {
    for await (const page of pages(unscoped(ctx.db), ctx.size)) yield page.filter(keep);
    return;
  }
  for (const run of runs([...ctx.scope.orderIds], IN_LIMIT)) {
    for await (const page of pages(shapedQuery(OF_ORDERS[collection], ctx.db, run), ctx.size)) yield page.filter(keep);
  }
}

/** Per collection `orderLinked` reads, its documents of some orders in document order. */
const OF_ORDERS = { notifications: "notificationsOfOrdersById", outbox: "outboxOfOrdersById" } as const;

/** The orders in scope (or all) that `unscoped` selects and `keep` accepts. */
async function* orders(ctx: Context, unscoped: (db: Firestore) => Query, keep: (doc: DocumentSnapshot) => boolean) {
  if (!ctx.scope) {
    for await (const page of pages(unscoped(ctx.db), ctx.size)) yield page.filter(keep);
    return;
  }
  for await (const page of documentsById(ctx.db, COLLECTIONS.orders, [...ctx.scope.orderIds], ctx.size)) yield page.filter(keep);
}

// ---- 1. stock ------------------------------------------------------------------------------

/**
 * Per tracked item: units on the shelf (the shards) + units reserved + units sold == units ever
 * stocked (`stocked`, or `level` where the root predates it); and no shard below zero.
 */
const stockConservation: Check = async (ctx) => {
  const held = new Map<string, { reserved: number; committed: number }>();
  const inScope = (restaurantId: string) => !ctx.scope || ctx.scope.restaurantIds.has(restaurantId);
  const reservations = shapedQuery("stockReservationsInStatesById", ctx.db, HOLDING);
  for await (const page of pages(reservations, ctx.size)) {
    for (const doc of page) {
      const status = doc.get("status") as "reserved" | "committed";
      for (const line of (doc.get("lines") as { restaurantId: string; itemId: string; quantity: number }[] | undefined) ?? []) {
        if (!inScope(line.restaurantId)) continue;
        const key = inventoryId(line.restaurantId, line.itemId);
        const entry = held.get(key) ?? { reserved: 0, committed: 0 };
        entry[status] += line.quantity;
        held.set(key, entry);
      }
    }
  }

  let checked = 0;
  const rootQueries = ctx.scope ? runs([...ctx.scope.restaurantIds], IN_LIMIT).map((run) => shapedQuery("inventoryOfRestaurantsById", ctx.db, run)) : [shapedQuery("inventoryById", ctx.db)];
  for (const query of rootQueries) {
    for await (const page of pages(query, ctx.size)) {
      const shardRefs = page.flatMap((root) => Array.from({ length: num(root.get("shards")) }, (_, n) => root.ref.collection("shards").doc(String(n))));
      const shards = shardRefs.length > 0 ? await ctx.db.getAll(...shardRefs) : [];
      const byRoot = new Map<string, number[]>();
      for (const shard of shards) {
        const rootPath = shard.ref.parent.parent!.path;
        byRoot.set(rootPath, [...(byRoot.get(rootPath) ?? []), num(shard.get("available"))]);
      }
      for (const root of page) {
        checked += 1;
        const levels = byRoot.get(root.ref.path) ?? [];
        const available = levels.reduce((a, b) => a + b, 0);
        const { reserved, committed } = held.get(root.id) ?? { reserved: 0, committed: 0 };
        held.delete(root.id);
        const stockedField = root.get("stocked") !== undefined ? "stocked" : "level";
        const stocked = num(root.get(stockedField));
        const negative = levels.map((level, shard) => ({ shard, level })).filter((s) => s.level < 0);
        for (const { shard, level } of negative) {
          ctx.report({ check: "stock-conservation", path: `${root.ref.path}/shards/${shard}`, problem: "shard holds a negative number of units", figures: { available: level } });
        }
        if (available + reserved + committed !== stocked) {
          ctx.report({
            check: "stock-conservation",
            path: root.ref.path,
            problem: `available + reserved + sold != ${stockedField}`,
            figures: { available, reserved, sold: committed, [stockedField]: stocked, difference: available + reserved + committed - stocked },
          });
        }
      }
    }
  }
  for (const [id, { reserved, committed }] of held) {
    ctx.report({ check: "stock-conservation", path: `${COLLECTIONS.inventory}/${id}`, problem: "units are reserved or sold of an item with no inventory record", figures: { reserved, sold: committed } });
  }
  return { checked };
};

// ---- 2. promotions -------------------------------------------------------------------------

/**
 * Per promo code: redemptions left (the shards) + redemptions in use == `globalLimit`; and per
 * identity (account, verified phone, card: keyed pseudonyms), `promotions/{code}/uses/{identity}.used`
 * == the redemptions in use that list that identity.
 */
const promoConservation: Check = async (ctx) => {
  let checked = 0;
  const source = ctx.scope ? documentsById(ctx.db, COLLECTIONS.promotions, [...ctx.scope.promoCodes], ctx.size) : pages(shapedQuery("promotionsById", ctx.db), ctx.size);
  for await (const page of source) {
    for (const promo of page) {
      checked += 1;
      const code = promo.id;
      const shardRefs = Array.from({ length: num(promo.get("shards")) }, (_, n) => promo.ref.collection("shards").doc(String(n)));
      const shards = shardRefs.length > 0 ? await ctx.db.getAll(...shardRefs) : [];
      const left = shards.reduce((sum, s) => sum + num(s.get("available")), 0);
      shards.forEach((s, n) => {
        if (num(s.get("available")) < 0) ctx.report({ check: "promo-conservation", path: `${promo.ref.path}/shards/${n}`, problem: "shard holds a negative number of redemptions", figures: { available: num(s.get("available")) } });
      });

      const usedBy = new Map<string, number>();
      let used = 0;
      for await (const redemptions of pages(shapedQuery("promoRedemptionsOfCodeById", ctx.db, code), ctx.size)) {
        for (const r of redemptions) {
          if (r.get("status") !== "used") continue;
          used += 1;
          for (const identity of (r.get("identities") as string[] | undefined) ?? []) usedBy.set(identity, (usedBy.get(identity) ?? 0) + 1);
        }
      }
      const limit = promo.get("globalLimit") as number | undefined;
      if (typeof limit === "number" && left + used !== limit) {
        ctx.report({ check: "promo-conservation", path: promo.ref.path, problem: "redemptions left + redemptions used != globalLimit", figures: { left, used, globalLimit: limit, difference: left + used - limit } });
      } else if (typeof limit !== "number") {
        ctx.report({ check: "promo-conservation", path: promo.ref.path, problem: "no globalLimit to check redemptions against", figures: { left, used } });
      }

      for await (const uses of pages(shapedQuery("promoUsesById", promo.ref.collection("uses")), ctx.size)) {
        for (const use of uses) {
          const counted = num(use.get("used"));
          const actual = usedBy.get(use.id) ?? 0;
          usedBy.delete(use.id);
          if (counted !== actual) ctx.report({ check: "promo-conservation", path: use.ref.path, problem: "the identity's use count differs from its redemptions", figures: { used: counted, redemptions: actual } });
        }
      }
      for (const [identity, actual] of usedBy) {
        ctx.report({ check: "promo-conservation", path: `${promo.ref.path}/uses/${identity}`, problem: "redemptions in use but no use count for the identity", figures: { used: 0, redemptions: actual } });
      }
    }
  }
  return { checked };
};

// ---- 3. one order per checkout key ---------------------------------------------------------

/** At most one order per checkout idempotency key (`checkoutKey`); orders without one are not counted. */
const oneOrderPerKey: Check = async (ctx) => {
  let checked = 0;
  const reportGroup = (key: string, ids: string[]) => {
    if (ids.length > 1) {
      ctx.report({ check: "one-order-per-key", path: `${COLLECTIONS.idempotencyKeys}/${key}`, problem: `${ids.length} orders from one checkout`, figures: { orders: ids.join(" ") } });
    }
  };
  if (!ctx.scope) {
    // Ordered by key, the orders of one key are neighbours: one group in memory at a time.
    let key: string | null = null;
    let ids: string[] = [];
    for await (const page of pages(shapedQuery("ordersByCheckoutKey", ctx.db), ctx.size)) {
      for (const order of page) {
        checked += 1;
        const next = order.get("checkoutKey") as string;
        if (next !== key) {
          if (key !== null) reportGroup(key, ids);
          key = next;
          ids = [];
        }
        ids.push(order.id);
      }
    }
    if (key !== null) reportGroup(key, ids);
    return { checked };
  }
  const keys = new Set<string>();
  for await (const page of documentsById(ctx.db, COLLECTIONS.orders, [...ctx.scope.orderIds], ctx.size)) {
    for (const order of page) {
      checked += 1;
      const key = order.get("checkoutKey") as string | null | undefined;
      if (key) keys.add(key);
    }
  }
  for (const run of runs([...keys], IN_LIMIT)) {
    const groups = new Map<string, string[]>();
    for await (const page of pages(shapedQuery("ordersOfCheckoutKeysById", ctx.db, run), ctx.size)) {
      for (const order of page) groups.set(order.get("checkoutKey") as string, [...(groups.get(order.get("checkoutKey") as string) ?? []), order.id]);
    }
    for (const [key, ids] of groups) reportGroup(key, ids);
  }
  return { checked };
};

// ---- 4. payments ---------------------------------------------------------------------------

/** Refunds that took or may still take money back. */
const REFUNDING = ["succeeded", "pending", "requires_action"];
/** Orders searched for in one Stripe query (its limit of clauses). */
const STRIPE_CLAUSES = 10;

/**
 * Per card order, from Stripe: at most one PaymentIntent captured, no more captured than the
 * order's total, no more refunded than captured.
 */
const payments: Check = async (ctx) => {
  const stripe = ctx.options.stripe;
  if (!stripe) return { checked: 0, note: "skipped: no Stripe key to read payments with" };
  let checked = 0;
  const isCard = (order: DocumentSnapshot) => order.get("paymentMethod") === "card" || order.get("payment.provider") === "stripe";
  for await (const page of orders(ctx, (db) => shapedQuery("ordersWithPaymentMethodById", db, "card"), isCard)) {
    await eachLimited(runs(page, STRIPE_CLAUSES), 4, async (run) => {
      const intents = new Map<string, Stripe.PaymentIntent[]>();
      const query = run.map((order) => `metadata['orderId']:'${order.id}'`).join(" OR ");
      for await (const intent of stripe.paymentIntents.search({ query, limit: 100 })) {
        const orderId = intent.metadata.orderId;
        intents.set(orderId, [...(intents.get(orderId) ?? []), intent]);
      }
      for (const order of run) {
        checked += 1;
        const found = intents.get(order.id) ?? [];
        // Stripe's search index lags writes by up to a minute: the intent the order names is read directly.
        const named = order.get("payment.intentId") as string | null | undefined;
        if (named && !found.some((i) => i.id === named)) found.push(await stripe.paymentIntents.retrieve(named));
        await checkPayment(ctx, stripe, order, found);
      }
    });
  }
  return { checked };
};

async function checkPayment(ctx: Context, stripe: Stripe, order: DocumentSnapshot, intents: Stripe.PaymentIntent[]): Promise<void> {
  const captured = intents.filter((i) => (i.amount_received ?? 0) > 0);
  const amountCaptured = captured.reduce((sum, i) => sum + i.amount_received, 0);
  let refunded = 0;
  for (const intent of captured) {
    for await (const refund of stripe.refunds.list({ payment_intent: intent.id, limit: 100 })) if (REFUNDING.includes(refund.status ?? "")) refunded += refund.amount;
  }
  const total = num(order.get("total.amount"));
  const figures = { intents: intents.map((i) => i.id).join(" ") || null, captured: amountCaptured, total, refunded };
  const path = order.ref.path;
  if (captured.length > 1) ctx.report({ check: "payments", path, problem: `${captured.length} PaymentIntents captured for one order`, figures: { ...figures, capturedIntents: captured.map((i) => i.id).join(" ") } });
  if (amountCaptured > total) ctx.report({ check: "payments", path, problem: "captured more than the order total", figures });
  if (refunded > amountCaptured) ctx.report({ check: "payments", path, problem: "refunded more than was captured", figures });
}

// ---- 5. notifications ----------------------------------------------------------------------


/**
 * At most one message per (source event, channel, recipient) sent. The ledger's ids are unique,
 * so duplicates show only at the provider: the FCM double lists (ledger entry, device) pairs it
 * received more than once; the Twilio double's messages to one number with one text are
 * compared with the ledger entries whose provider id points at them. Always: every entry a
 * provider took carries the provider's id.
 */
const oneNotificationPerRecipient: Check = async (ctx) => {
  let checked = 0;
  const notes: string[] = [];
  const smsEntries: { path: string; providerId: string }[] = [];
  const twilio = ctx.options.providerDoubles?.twilio;
  for await (const page of orderLinked(ctx, "notifications", (db) => shapedQuery("notificationsInStatesById", db, PROVIDER_TOOK), (d) => PROVIDER_TOOK.includes(d.get("status") as string))) {
    for (const entry of page) {
      checked += 1;
      const channel = entry.get("channel") as string;
      const ids = channel === "push" ? ((entry.get("providerIds") as string[] | undefined) ?? []) : [entry.get("providerId") as string | undefined].filter(Boolean);
      if (ids.length === 0) {
        ctx.report({ check: "one-notification-per-recipient", path: entry.ref.path, problem: `${entry.get("status") as string} without the provider's message id`, figures: { channel, status: entry.get("status") as string } });
      } else if (channel === "sms" && twilio) {
        smsEntries.push({ path: entry.ref.path, providerId: ids[0] as string });
      }
    }
  }

  const fcm = ctx.options.providerDoubles?.fcm;
  if (fcm) {
    const duplicates = await fetchJson<{ notificationId: string; token: string; orderId: string | null; count: number }[]>(`${fcm}/_double/duplicates`);
    if (!duplicates) notes.push(`FCM double not reachable at ${fcm}`);
    for (const d of duplicates ?? []) {
      if (ctx.scope && !(d.orderId && ctx.scope.orderIds.has(d.orderId))) continue;
      ctx.report({ check: "one-notification-per-recipient", path: `${COLLECTIONS.notifications}/${d.notificationId}`, problem: `pushed ${d.count} times to one device`, figures: { messages: d.count, token: `${d.token.slice(0, 12)}…` } });
    }
  }

  if (twilio) {
    const messages = await fetchJson<{ sid: string; to: string; body: string }[]>(`${twilio}/_double/messages`);
    if (!messages) notes.push(`Twilio double not reachable at ${twilio}`);
    const keyOf = new Map<string, string>();
    const sentPerKey = new Map<string, number>();
    for (const m of messages ?? []) {
      const key = `${m.to}\n${m.body}`;
      keyOf.set(m.sid, key);
      sentPerKey.set(key, (sentPerKey.get(key) ?? 0) + 1);
    }
    const entriesPerKey = new Map<string, string[]>();
    for (const entry of smsEntries) {
      const key = keyOf.get(entry.providerId);
      if (key) entriesPerKey.set(key, [...(entriesPerKey.get(key) ?? []), entry.path]);
    }
    for (const [key, paths] of entriesPerKey) {
      const sent = sentPerKey.get(key) ?? 0;
      if (sent > paths.length) {
        ctx.report({ check: "one-notification-per-recipient", path: paths[0], problem: `${sent} SMS with this text to one number, for ${paths.length} ledger entr${paths.length === 1 ? "y" : "ies"}`, figures: { messages: sent, ledgerEntries: paths.length, to: maskPhone(key.split("\n")[0]) } });
      }
    }
  }
  if (!fcm && !twilio) notes.push("no provider records to read: ledger consistency only");
  return { checked, ...(notes.length > 0 ? { note: notes.join("; ") } : {}) };
};

async function fetchJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url);
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}

// ---- 6-9. work left behind -----------------------------------------------------------------

/** No ledger entry `sending` for longer than a sender can run: its process died mid-send. */
const noStuckSending: Check = async (ctx) => {
  let checked = 0;
  for await (const page of orderLinked(ctx, "notifications", (db) => shapedQuery("notificationsInStatusById", db, "sending"), (d) => d.get("status") === "sending")) {
    for (const entry of page) {
      checked += 1;
      const since = millis(entry.get("updatedAt")) ?? millis(entry.get("createdAt"));
      if (since === null || since + SENDING_LEASE_MS < ctx.now) {
        ctx.report({ check: "no-stuck-sending", path: entry.ref.path, problem: "claimed for sending and never settled", figures: { since: iso(since), minutes: since === null ? null : Math.round((ctx.now - since) / 60_000), channel: entry.get("channel") as string } });
      }
    }
  }
  return { checked };
};

/** No outbox record unpublished past the sweep that should have published it. */
const outboxPublished: Check = async (ctx) => {
  let checked = 0;
  for await (const page of orderLinked(ctx, "outbox", (db) => shapedQuery("outboxUnpublishedById", db, null), (d) => d.get("publishedAt") == null)) {
    for (const record of page) {
      checked += 1;
      const created = millis(record.get("createdAt"));
      if (created === null || created + OUTBOX_OVERDUE_MS < ctx.now) {
        ctx.report({ check: "outbox-published", path: record.ref.path, problem: "event never published", figures: { type: record.get("type") as string, orderId: record.get("orderId") as string, createdAt: iso(created), minutes: created === null ? null : Math.round((ctx.now - created) / 60_000) } });
      }
    }
  }
  return { checked };
};

/** No order still in the running whose next step is long overdue (`stallOf`). */
const ordersFollowedUp: Check = async (ctx) => {
  let checked = 0;
  for await (const page of orders(ctx, (db) => shapedQuery("ordersInStatesById", db, NON_TERMINAL), (d) => NON_TERMINAL.includes(d.get("status") as never))) {
    for (const order of page) {
      checked += 1;
      const stall = stallOf(order.data() as FollowUpFields, ctx.now);
      if (stall) {
        ctx.report({ check: "orders-followed-up", path: order.ref.path, problem: stall, figures: { status: order.get("status") as string, updatedAt: iso(millis(order.get("updatedAt"))), payment: (order.get("payment.status") as string | undefined) ?? null } });
      }
    }
  }
  return { checked };
};

/** The order a dead letter's payload names (task envelope, Pub/Sub body or attributes), if any. */
function orderOfLetter(payload: Record<string, Record<string, unknown> | undefined> | undefined): string | null {
  const id = payload?.data?.orderId ?? payload?.body?.orderId ?? payload?.attributes?.orderId;
  return typeof id === "string" ? id : null;
}

/** Every open dead letter: work that failed for good and was not replayed. */
const deadLettersOpen: Check = async (ctx) => {
  let checked = 0;
  for await (const page of pages(shapedQuery("deadLettersInStatusById", ctx.db, "open"), ctx.size)) {
    for (const letter of page) {
      const orderId = orderOfLetter(letter.get("payload") as never);
      if (ctx.scope && !(orderId && ctx.scope.orderIds.has(orderId))) continue;
      checked += 1;
      const error = (letter.get("error") as { message?: string } | undefined)?.message ?? "?";
      ctx.report({
        check: "dead-letters-open",
        path: letter.ref.path,
        problem: `${letter.get("handler") as string} failed for good: ${error.slice(0, 120)}`,
        figures: { source: letter.get("source") as string, attempts: num(letter.get("attempts")), orderId, recordedAt: iso(millis(letter.get("recordedAt"))) },
      });
    }
  }
  return { checked };
};

const DELIVERY_ENDED: OrderState[] = ["delivered", ...GIVEN_UP_STATES];

/**
 * A customer's name, phone and address stay with a courier's delivery only while it is open:
 * a closed delivery holds none, and a delivery whose order ended is closed (by dispatch, once
 * the order's event arrives: after the grace time, it is overdue).
 */
const deliveryContactClosed: Check = async (ctx) => {
  let checked = 0;
  for await (const page of pages(shapedQuery("deliveriesById", ctx.db), ctx.size)) {
    const deliveries = page.filter((d) => !ctx.scope || ctx.scope.orderIds.has(d.id));
    if (deliveries.length === 0) continue;
    const orders = await ctx.db.getAll(...deliveries.map((d) => ctx.db.collection(COLLECTIONS.orders).doc(d.id)));
    deliveries.forEach((delivery, i) => {
      checked += 1;
      const kept = DELIVERY_CONTACT_FIELDS.filter((field) => delivery.get(field) !== undefined && delivery.get(field) !== null);
      const status = delivery.get("status") as string;
      const order = orders[i];
      const orderStatus = (order.get("status") as OrderState | undefined) ?? null;
      const endedAt = millis(order.get("updatedAt"));
      const figures = { status, orderStatus, contactFields: kept.join(",") || null };
      if (status === "closed" && kept.length > 0) {
        ctx.report({ check: "delivery-contact-closed", path: delivery.ref.path, problem: "closed delivery keeps contact data", figures });
      } else if (status === "open" && (!order.exists || (DELIVERY_ENDED.includes(orderStatus!) && (endedAt ?? 0) + FOLLOW_UP_GRACE_MS < ctx.now))) {
        ctx.report({ check: "delivery-contact-closed", path: delivery.ref.path, problem: "delivery still open after its order ended", figures });
      }
    });
  }
  return { checked };
};

const IMPLEMENTATIONS: Record<CheckName, Check> = {
  "stock-conservation": stockConservation,
  "promo-conservation": promoConservation,
  "one-order-per-key": oneOrderPerKey,
  payments,
  "one-notification-per-recipient": oneNotificationPerRecipient,
  "no-stuck-sending": noStuckSending,
  "outbox-published": outboxPublished,
  "orders-followed-up": ordersFollowedUp,
  "dead-letters-open": deadLettersOpen,
  "delivery-contact-closed": deliveryContactClosed,
};

/** The report as lines: one per violation, one summary per check, then `violations N`. */
export function formatReport(report: AuditReport): string[] {
  const figures = (f: Violation["figures"]) =>
    Object.entries(f)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
  const width = Math.max(...CHECKS.map((c) => c.length));
  return [
    ...report.violations.map((v) => `${v.check}  ${v.path}  ${v.problem}  (${figures(v.figures)})`),
    ...report.checks.map((c) => `${c.name.padEnd(width)}  checked ${c.checked}  violations ${c.violations}${c.note ? `  (${c.note})` : ""}${c.failed ? `  FAILED: ${c.failed}` : ""}`),
    `violations ${report.violations.length}`,
  ];
}
