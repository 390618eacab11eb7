/**
 * What the GraphQL API reads that no callable returns: the caller's profile, preferences,
 * devices and orders, one order, a restaurant's open orders, dead letters and flagged orders.
 * Each root read is a callable-shaped implementation (zod input, `run(input, caller)`) run
 * through the callable gateway, so auth, roles, sessions, App Check and the rate limit are the
 * callables' own. Who may read an order is what `firestore.rules` allows for `orders/{id}`.
 * Lists read one query per page and batch what they point at in one `getAll` (loaders.ts).
 */
import type { DocumentData, DocumentSnapshot } from "firebase-admin/firestore";
import { z } from "zod";
import type { NotificationPreferences } from "../contract/notifications";
import { preferencesOf } from "../notifications/devices.service";
import { Id } from "../contract/primitives";
import type { UserProfile } from "../contract/profile";
import { pickProfile } from "../auth/profile.service";
import { OPEN_STATES, type OrderState } from "../orders/order-state";
import type { CallableSpec, Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { invalidArgument, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { shapedQuery } from "../shared/queries";
import { restaurantIdsOf } from "../shared/roles";
import { parseOrThrow } from "../shared/validation";
import type { Call } from "./gateway";

/** The spec every read runs under: one rate-limit bucket per user for all of GraphQL's reads. */
const readSpec = (access: CallableSpec["access"]): CallableSpec => ({ name: "api-graphql", access, rateLimit: "default" });

const PageSize = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
const Cursor = z.string().max(200).regex(/^[A-Za-z0-9_-]*$/, "Not a cursor this API issued.").optional();

/** An order as GraphQL shows it to `caller`; the attention flag is for staff and admins only. */
export function orderView(doc: DocumentSnapshot<DocumentData>, caller: Caller) {
  const o = doc.data() ?? {};
  const status = o.status as OrderState;
  const courier = o.courier as { name?: string | null } | undefined;
  return {
    id: doc.id,
    status,
    version: (o.version as number | undefined) ?? 1,
    restaurantId: o.restaurantId as string,
    restaurantName: (o.restaurantName as string | undefined) ?? null,
    lines: (o.lines as unknown[] | undefined) ?? [],
    total: o.total,
    paymentMethod: o.paymentMethod,
    createdAt: iso(o.createdAt),
    history: ((o.history as Record<string, unknown>[] | undefined) ?? []).map((h) => ({ at: iso(h.at), from: h.from ?? null, to: h.to, byKind: h.byKind ?? null, why: h.why ?? null })),
    // The courier's name while someone carries the order; never after it ends.
    courier: courier && OPEN_STATES.includes(status) ? { name: courier.name ?? null } : null,
    attention: o.attention && (caller.role === "staff" || caller.role === "admin") ? attentionView(o.attention as Record<string, unknown>) : null,
  };
}
export type OrderView = ReturnType<typeof orderView>;

function attentionView(a: Record<string, unknown>) {
  return { reason: a.reason as string, message: (a.message as string | undefined) ?? null, since: iso(a.since) };
}

/** A Firestore timestamp (or a pending one) as ISO 8601, null when absent. */
function iso(value: unknown): string | null {
  return value && typeof (value as { toDate?: unknown }).toDate === "function" ? (value as { toDate(): Date }).toDate().toISOString() : null;
}

/** The readers `firestore.rules` allows for `orders/{id}`. */
export function mayReadOrder(order: DocumentData, caller: Caller): boolean {
  if (caller.role === "admin") return true;
  if (caller.uid && order.customerUid === caller.uid) return true;
  if (caller.role === "staff" && restaurantIdsOf(caller.claims).includes(order.restaurantId as string)) return true;
  return caller.role === "courier" && !!caller.uid && order.courierUid === caller.uid;
}

/**
 * Reads `orderId` for `caller`, refusing exactly as Firestore refuses the app: someone else's
 * order and a missing one are both `permission-denied`, so the answer does not tell them apart.
 */
export async function readableOrder(orderId: string, caller: Caller): Promise<DocumentSnapshot<DocumentData>> {
  const doc = await db().collection(COLLECTIONS.orders).doc(orderId).get();
  if (!doc.exists || !mayReadOrder(doc.data()!, caller)) throw permissionDenied("This is not your order.", "not-your-order");
  return doc;
}

const OrderRequest = z.strictObject({ id: Id });
export const orderRead: Call<z.infer<typeof OrderRequest>, OrderView> = {
  spec: readSpec("signed-in"),
  load: async () => ({ input: OrderRequest, run: async ({ id }, caller) => orderView(await readableOrder(id, caller), caller) }),
};

/** A subscription's start: the same check as `order(id)`; the stream then needs the caller. */
export const orderWatch: Call<z.infer<typeof OrderRequest>, { caller: Caller }> = {
  spec: readSpec("signed-in"),
  load: async () => ({ input: OrderRequest, run: async ({ id }, caller) => (await readableOrder(id, caller), { caller }) }),
};

/** `me` resolves to the caller; its fields read what they need, each once per request. */
export const meRead: Call<Record<string, never>, { uid: string; caller: Caller }> = {
  spec: readSpec("signed-in"),
  load: async () => ({ input: z.strictObject({}), run: async (_input, caller) => ({ uid: caller.uid!, caller }) }),
};

/** The profile document, read once for profile and preferences. */
export async function readProfile(uid: string): Promise<{ profile: UserProfile; preferences: NotificationPreferences }> {
  const doc = await db().collection(COLLECTIONS.users).doc(uid).get();
  const data = (doc.data() ?? {}) as Partial<UserProfile> & { notificationPreferences?: NotificationPreferences };
  const defaults: UserProfile = { uid, email: null, displayName: null, phone: null, locale: "en", timeZone: "UTC", addresses: [], role: "customer" };
  return {
    profile: pickProfile({ ...defaults, ...data }),
    // Saved before a channel or category existed, they lack it: the defaults fill it, as for delivery.
    preferences: preferencesOf(data),
  };
}

/** The caller's push devices: their push targets, then every device in one `getAll`. */
export async function readDevices(uid: string) {
  const targets = await db().collection(COLLECTIONS.pushTargets).doc(uid).get();
  const ids = Object.keys((targets.get("devices") as Record<string, string> | undefined) ?? {});
  if (ids.length === 0) return [];
  const devices = await db().getAll(...ids.map((id) => db().collection(COLLECTIONS.devices).doc(id)));
  return devices
    .filter((d) => d.exists && d.get("uid") === uid)
    .map((d) => ({ deviceId: d.id, platform: d.get("platform") as string, appVersion: d.get("appVersion") as string, lastSeenAt: iso(d.get("lastSeenAt")) }));
}

export const OrdersPageRequest = z.strictObject({ first: PageSize(50, 10), after: Cursor });

/** A page of the caller's orders, newest first: one query of `first + 1` documents. */
export async function readOrdersPage(caller: Caller, args: unknown) {
  const { first, after } = parseOrThrow(OrdersPageRequest, args);
  let query = shapedQuery("ordersOfCustomerNewestFirst", db(), caller.uid);
  const cursor = decodeOrderCursor(after);
  if (cursor) query = query.startAfter(firestoreValues().Timestamp.fromMillis(cursor[0]), cursor[1]);
  const snapshot = await query.limit(first + 1).get();
  const docs = snapshot.docs.slice(0, first);
  const last = docs.at(-1);
  const hasNextPage = snapshot.size > first;
  return {
    edges: docs.map((doc) => ({ node: orderView(doc, caller) })),
    pageInfo: { hasNextPage, endCursor: hasNextPage && last ? encodeOrderCursor(last) : null },
  };
}

function encodeOrderCursor(doc: DocumentSnapshot): string {
  const createdAt = doc.get("createdAt") as { toMillis(): number } | undefined;
  return Buffer.from(JSON.stringify([createdAt?.toMillis() ?? 0, doc.id])).toString("base64url");
}

function decodeOrderCursor(cursor: string | undefined): [number, string] | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === "number" && typeof key[1] === "string") return key as [number, string];
  } catch {
    // Falls through to the error below.
  }
  throw invalidArgument([{ path: "after", message: "Not a cursor this API issued; start again without it." }]);
}

const BoardRequest = z.strictObject({ restaurantId: Id, first: PageSize(100, 50) });
/** Staff of the restaurant (as the rules' isStaffOf) or an admin: the board's open orders, oldest first. */
export const restaurantOpenOrdersRead: Call<z.infer<typeof BoardRequest>, unknown[]> = {
  spec: readSpec(["staff", "admin"]),
  load: async () => ({
    input: BoardRequest,
    async run({ restaurantId, first }, caller) {
      if (caller.role !== "admin" && !restaurantIdsOf(caller.claims).includes(restaurantId)) {
        throw permissionDenied("You do not work for this restaurant.", "not-your-restaurant");
      }
      const board = db().collection(COLLECTIONS.restaurantBoards).doc(restaurantId).collection(COLLECTIONS.openOrders);
      const snapshot = await shapedQuery("boardOrdersOldestFirst", board).limit(first).get();
      return snapshot.docs.map((doc) => {
        const e = doc.data();
        return { ...e, orderId: doc.id, placedAt: iso(e.placedAt), attention: e.attention ? attentionView(e.attention as Record<string, unknown>) : null };
      });
    },
  }),
};

const DeadLettersRequest = z.strictObject({ status: z.enum(["open", "replayed", "resolved"]).default("open"), first: PageSize(100, 20) });
export const deadLettersRead: Call<z.infer<typeof DeadLettersRequest>, unknown[]> = {
  spec: readSpec(["admin"]),
  load: async () => ({
    input: DeadLettersRequest,
    async run({ status, first }) {
      const snapshot = await shapedQuery("deadLettersByStatusNewestFirst", db(), status).limit(first).get();
      // The payload may name a person: operators read it with admin:dead-letters, not in the app.
      return snapshot.docs.map((doc) => {
        const d = doc.data();
        return { id: doc.id, handler: d.handler, source: d.source, eventId: d.eventId, attempts: d.attempts, status: d.status, correlationId: d.correlationId ?? null, recordedAt: iso(d.recordedAt), error: d.error ?? null };
      });
    },
  }),
};

const FlaggedOrdersRequest = z.strictObject({ first: PageSize(100, 20) });
export const flaggedOrdersRead: Call<z.infer<typeof FlaggedOrdersRequest>, OrderView[]> = {
  spec: readSpec(["admin"]),
  load: async () => ({
    input: FlaggedOrdersRequest,
    async run({ first }, caller) {
      const snapshot = await shapedQuery("ordersNeedingAttention", db(), null).limit(first).get();
      return snapshot.docs.map((doc) => orderView(doc, caller));
    },
  }),
};
