/**
 * The stuck-work detector: finds orders past the time their state allows and backlog items
 * nothing moved (stuck-work.ts says which), and asks a person to look at each exactly once: an
 * `attention` flag on an order, one `opsAlerts/{kind}:{id}` record for anything else, and one
 * error log line either way. `findStuckWork` only reads (`npm run ops:status` uses it live).
 *
 * Queries are bounded and read the most recently overdue first: old findings, already flagged,
 * cannot starve new ones out of the batch.
 */
import type { DocumentSnapshot, Query } from "firebase-admin/firestore";
import { attentionFlag } from "../orders/attention";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { shapedQuery, type QueryName } from "../shared/queries";
import {
  backlogStuck,
  BROADCAST_SILENT_MS,
  OUTBOX_OVERDUE_MS,
  orderCutoff,
  orderStuck,
  SENDING_PAST_LEASE_MS,
  WATCHED_STATES,
  type BacklogKind,
  type OrderClock,
} from "./stuck-work";

/** Documents read per query and run; the next run reads again. */
export const DETECT_BATCH = 100;

export interface Finding {
  kind: "order" | BacklogKind;
  id: string;
  path: string;
  state: string;
  ageMinutes: number;
  /** Already flagged: the order carries an attention flag, or the item an open alert record. */
  flagged: boolean;
}

const alerts = () => db().collection(COLLECTIONS.opsAlerts);
export const alertId = (kind: BacklogKind, id: string) => `${kind}:${id}`;

/**
 * A watched query in the orders it is read in: unordered (counts), the newest first (the
 * detector) and, where someone asks for it, the oldest first (ops:status). Each is a declared
 * shape (shared/queries.ts), so each has its index.
 */
export interface WatchedQuery {
  clock: string;
  query: { any: () => Query; newest: () => Query; oldest?: () => Query };
}

/** The declared queries of an order clock, by how they are read. */
const OVERDUE_ORDERS = {
  payBefore: { any: "ordersOverduePayBefore", newest: "ordersOverduePayBeforeNewestFirst" },
  acceptBy: { any: "ordersOverdueAcceptBy", newest: "ordersOverdueAcceptByNewestFirst" },
  acceptedAt: { any: "ordersOverdueAcceptedAt", newest: "ordersOverdueAcceptedAtNewestFirst" },
  updatedAt: { any: "ordersOverdueUpdatedAt", newest: "ordersOverdueUpdatedAtNewestFirst" },
} as const satisfies Record<OrderClock, { any: QueryName; newest: QueryName }>;

/** Per watched state, the orders past what it allows (unbounded: callers bound them). */
export function stuckOrderQueries(now: number): WatchedQuery[] {
  const { Timestamp } = firestoreValues();
  return WATCHED_STATES.map(([state, limit]) => {
    const cutoff = Timestamp.fromMillis(orderCutoff(limit, now));
    const names = OVERDUE_ORDERS[limit.clock];
    return {
      clock: limit.clock,
      query: { any: () => shapedQuery(names.any, db(), state, cutoff), newest: () => shapedQuery(names.newest, db(), state, cutoff) },
    };
  });
}

/** Per backlog kind, the items that may be stuck, and the field they age by (unbounded). */
export function backlogQueries(now: number): (WatchedQuery & { kind: BacklogKind })[] {
  const { Timestamp } = firestoreValues();
  const before = (ms: number) => Timestamp.fromMillis(now - ms);
  const sendingBefore = before(SENDING_PAST_LEASE_MS);
  const outboxBefore = before(OUTBOX_OVERDUE_MS);
  const silentBefore = before(BROADCAST_SILENT_MS);
  return [
    {
      kind: "notification-sending",
      clock: "leaseExpiresAt",
      query: {
        any: () => shapedQuery("notificationsLeaseExpired", db(), "sending", sendingBefore),
        newest: () => shapedQuery("notificationsLeaseExpiredNewestFirst", db(), "sending", sendingBefore),
        oldest: () => shapedQuery("notificationsLeaseExpiredOldestFirst", db(), "sending", sendingBefore),
      },
    },
    {
      kind: "dead-letter",
      clock: "recordedAt",
      query: {
        any: () => shapedQuery("deadLettersByStatus", db(), "open"),
        newest: () => shapedQuery("deadLettersByStatusNewestFirst", db(), "open"),
        oldest: () => shapedQuery("deadLettersByStatusOldestFirst", db(), "open"),
      },
    },
    {
      kind: "broadcast-stalled",
      clock: "updatedAt",
      query: { any: () => shapedQuery("broadcastsInStatusNewestFirst", db(), "stalled"), newest: () => shapedQuery("broadcastsInStatusNewestFirst", db(), "stalled") },
    },
    {
      kind: "broadcast-stalled",
      clock: "updatedAt",
      query: {
        any: () => shapedQuery("broadcastsInStatusSilentNewestFirst", db(), "running", silentBefore),
        newest: () => shapedQuery("broadcastsInStatusSilentNewestFirst", db(), "running", silentBefore),
      },
    },
    {
      kind: "outbox-unpublished",
      clock: "createdAt",
      query: {
        any: () => shapedQuery("outboxUnpublishedBefore", db(), null, outboxBefore),
        newest: () => shapedQuery("outboxUnpublishedBeforeNewestFirst", db(), null, outboxBefore),
        oldest: () => shapedQuery("outboxUnpublishedBeforeOldestFirst", db(), null, outboxBefore),
      },
    },
  ];
}

/** Everything stuck at `now`, flagged or not. Reads only. */
export async function findStuckWork(now = Date.now()): Promise<Finding[]> {
  // The newest first, bounded.
  const [orderSnapshots, backlogSnapshots] = await Promise.all([
    Promise.all(stuckOrderQueries(now).map(({ query }) => query.newest().limit(DETECT_BATCH).get())),
    Promise.all(backlogQueries(now).map(async ({ kind, query }) => [kind, await query.newest().limit(DETECT_BATCH).get()] as const)),
  ]);
  const findings: Finding[] = [];
  for (const doc of orderSnapshots.flatMap((snapshot) => snapshot.docs)) {
    const stuck = orderStuck(doc.data(), now);
    if (stuck) findings.push({ kind: "order", id: doc.id, path: doc.ref.path, state: stuck.state, ageMinutes: stuck.ageMinutes, flagged: Boolean(doc.get("attention")) });
  }
  const backlog: Omit<Finding, "flagged">[] = [];
  for (const [kind, snapshot] of backlogSnapshots) {
    for (const doc of snapshot.docs) {
      const stuck = backlogStuck(kind, doc.data(), now);
      if (stuck) backlog.push({ kind, id: doc.id, path: doc.ref.path, ...stuck });
    }
  }
  const records = backlog.length ? await db().getAll(...backlog.map((f) => alerts().doc(alertId(f.kind as BacklogKind, f.id)))) : [];
  return [...findings, ...backlog.map((finding, i) => ({ ...finding, flagged: records[i].exists }))];
}

export interface Detection {
  /** Findings flagged by this run (each logged once). */
  flagged: Finding[];
  /** Alert records and order flags cleared because their item moved on. */
  resolved: string[];
}

/** Flags what is newly stuck and resolves what has cleared; a second run over the same data flags nothing. */
export async function detectStuckWork(now = Date.now()): Promise<Detection> {
  const flagged: Finding[] = [];
  for (const finding of (await findStuckWork(now)).filter((f) => !f.flagged)) {
    try {
      if (!(await (finding.kind === "order" ? flagOrder(finding, now) : openAlert(finding)))) continue;
      flagged.push(finding);
      log.error(OPS_EVENTS.stuckWorkDetected.name, new Error(`${finding.kind} ${finding.id} stuck in ${finding.state} for ${finding.ageMinutes} min`), {
        kind: finding.kind,
        id: finding.id,
        state: finding.state,
        ageMinutes: finding.ageMinutes,
      });
    } catch (error) {
      // One item's failure must not hide the others; the next run tries it again.
      log.error("ops.stuck-work-flag-failed", error, { kind: finding.kind, id: finding.id });
    }
  }
  const resolved = [...(await resolveClearedAlerts(now)), ...(await clearMovedOrders(now))];
  return { flagged, resolved };
}

/** Flags the order in the same transaction that re-reads it: unless it moved on or someone flagged it meanwhile. */
async function flagOrder(finding: Finding, now: number): Promise<boolean> {
  const ref = db().doc(finding.path);
  return db().runTransaction(async (tx) => {
    const order = await tx.get(ref);
    const stuck = order.exists && !order.get("attention") ? orderStuck(order.data()!, now) : null;
    if (!stuck) return false;
    tx.update(ref, { attention: attentionFlag("stuck-in-state", { state: stuck.state }) });
    return true;
  });
}

/** `create` makes the record once: a second run, or a concurrent one, finds it there. */
async function openAlert(finding: Finding): Promise<boolean> {
  const { FieldValue } = firestoreValues();
  try {
    await alerts()
      .doc(alertId(finding.kind as BacklogKind, finding.id))
      .create({ kind: finding.kind, sourceId: finding.id, sourcePath: finding.path, state: finding.state, ageMinutes: finding.ageMinutes, status: "open", detectedAt: FieldValue.serverTimestamp(), resolvedAt: null });
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === 6) return false; // ALREADY_EXISTS
    throw error;
  }
}

/** Open alerts whose item is no longer stuck (a dead letter replayed, a broadcast resumed) are resolved. */
async function resolveClearedAlerts(now: number): Promise<string[]> {
  const { FieldValue } = firestoreValues();
  const open = await shapedQuery("opsAlertsInStatus", db(), "open").limit(DETECT_BATCH).get();
  const resolved: string[] = [];
  for (const alert of open.docs) {
    const source = await db().doc(alert.get("sourcePath") as string).get();
    if (backlogStuck(alert.get("kind") as BacklogKind, source.data(), now)) continue;
    await alert.ref.update({ status: "resolved", resolvedAt: FieldValue.serverTimestamp() });
    log.info("ops.stuck-work-resolved", { alertId: alert.id });
    resolved.push(alert.ref.path);
  }
  return resolved;
}

/** An order flagged as stuck that has since left that state loses the flag (other reasons are not ours to clear). */
async function clearMovedOrders(now: number): Promise<string[]> {
  const { FieldValue } = firestoreValues();
  const flagged = await shapedQuery("ordersFlaggedAs", db(), "stuck-in-state").limit(DETECT_BATCH).get();
  const cleared: string[] = [];
  const stillStuck = (order: DocumentSnapshot) => order.get("attention.reason") !== "stuck-in-state" || orderStuck(order.data()!, now)?.state === order.get("attention.state");
  for (const order of flagged.docs.filter((candidate) => !stillStuck(candidate))) {
    const moved = await db().runTransaction(async (tx) => {
      const current = await tx.get(order.ref);
      if (!current.exists || stillStuck(current)) return false;
      tx.update(order.ref, { attention: FieldValue.delete() });
      return true;
    });
    if (!moved) continue;
    log.info("ops.stuck-order-cleared", { orderId: order.id });
    cleared.push(order.ref.path);
  }
  return cleared;
}
