/**
 * Every Firestore query shape the code runs, declared once, and the one builder that turns a
 * declaration into a query. The emulator serves any query; production refuses one that needs a
 * composite index missing from `firestore.indexes.json`. Declared here, a shape is visible to a
 * unit test (test/unit/query-indexes.test.ts) that checks each against the index file, and
 * `shapedQuery` builds exactly what was declared, so the code and the declaration cannot drift.
 *
 * A shape holds what decides the index: the collection (or collection group), each filter's field
 * and operator, and the ordering. Values come at the call; `limit`, `select`, cursors and
 * `count()` go on the built query, since no index depends on them. `__name__` is the document id.
 *
 * To add a query: declare its shape below, build it with `shapedQuery(name, source, ...values)`,
 * and run the unit test; it names the composite index to add when one is needed.
 */
import type { CollectionReference, Firestore, OrderByDirection, Query, WhereFilterOp } from "firebase-admin/firestore";
import { COLLECTIONS } from "./collections";

export type Filter = readonly [field: string, op: WhereFilterOp];
export type Ordering = readonly [field: string, direction: OrderByDirection];

export interface QueryShape {
  /** The collection id (the last segment of its path), as in the index file's `collectionGroup`. */
  collection: string;
  /** Every collection with that id (`collectionGroup()`), not one collection. */
  group?: boolean;
  /** Filters in the order they are applied; their values are the builder's arguments, in this order. */
  where?: readonly Filter[];
  orderBy?: readonly Ordering[];
}

const ID = "__name__";
const { orders, notifications, outbox, deadLetters, broadcasts } = COLLECTIONS;

/** Orders in a state whose `clock` is before a time: unordered (counts) and the most recently overdue first. */
function overdueOrders<const Clock extends string>(clock: Clock) {
  const where = [["status", "=="], [clock, "<"]] as const;
  return [
    { collection: orders, where },
    { collection: orders, where, orderBy: [[clock, "desc"]] as const },
  ] as const;
}

/** A backlog's filters, unordered (counts), newest first (the detector) and oldest first (ops:status). */
function backlog<const W extends readonly Filter[], const Clock extends string>(collection: string, where: W, clock: Clock) {
  return [
    { collection, where },
    { collection, where, orderBy: [[clock, "desc"]] as const },
    { collection, where, orderBy: [[clock, "asc"]] as const },
  ] as const;
}

const [ordersOverduePayBefore, ordersOverduePayBeforeNewestFirst] = overdueOrders("payBefore");
const [ordersOverdueAcceptBy, ordersOverdueAcceptByNewestFirst] = overdueOrders("acceptBy");
const [ordersOverdueAcceptedAt, ordersOverdueAcceptedAtNewestFirst] = overdueOrders("acceptedAt");
const [ordersOverdueUpdatedAt, ordersOverdueUpdatedAtNewestFirst] = overdueOrders("updatedAt");
const [notificationsLeaseExpired, notificationsLeaseExpiredNewestFirst, notificationsLeaseExpiredOldestFirst] = backlog(
  notifications,
  [["status", "=="], ["leaseExpiresAt", "<"]],
  "leaseExpiresAt",
);
const [deadLettersByStatus, deadLettersByStatusNewestFirst, deadLettersByStatusOldestFirst] = backlog(deadLetters, [["status", "=="]], "recordedAt");
const [outboxUnpublishedBefore, outboxUnpublishedBeforeNewestFirst, outboxUnpublishedBeforeOldestFirst] = backlog(
  outbox,
  [["publishedAt", "=="], ["createdAt", "<"]],
  "createdAt",
);

export const QUERIES = {
  // catalog
  restaurantsInDeliveryCell: { collection: COLLECTIONS.restaurants, where: [["published", "=="], ["deliveryCells", "array-contains"]] },
  restaurantsByName: { collection: COLLECTIONS.restaurants, where: [["published", "=="]], orderBy: [["nameLower", "asc"], [ID, "asc"]] },
  restaurantsOfCuisineByName: {
    collection: COLLECTIONS.restaurants,
    where: [["published", "=="], ["cuisines", "array-contains"]],
    orderBy: [["nameLower", "asc"], [ID, "asc"]],
  },
  restaurantsByNamePrefix: {
    collection: COLLECTIONS.restaurants,
    where: [["published", "=="], ["nameLower", ">="], ["nameLower", "<"]],
    orderBy: [["nameLower", "asc"], [ID, "asc"]],
  },
  restaurantsOfCuisineByNamePrefix: {
    collection: COLLECTIONS.restaurants,
    where: [["published", "=="], ["cuisines", "array-contains"], ["nameLower", ">="], ["nameLower", "<"]],
    orderBy: [["nameLower", "asc"], [ID, "asc"]],
  },
  menuCategoriesInOrder: { collection: COLLECTIONS.categories, orderBy: [["position", "asc"]] },
  itemsOfCategory: { collection: COLLECTIONS.items, where: [["categoryId", "=="]] },

  // checkout, inventory, payments, dispatch
  promoRedemptionsOfCodeInStatus: { collection: COLLECTIONS.promoRedemptions, where: [["code", "=="], ["status", "=="]] },
  openCashOrdersOfCustomer: { collection: orders, where: [["customerUid", "=="], ["paymentMethod", "=="], ["status", "in"]] },
  stockReservationsOfItemInStatus: { collection: COLLECTIONS.stockReservations, where: [["inventoryIds", "array-contains"], ["status", "=="]] },
  orderOfPaymentIntent: { collection: orders, where: [["payment.intentId", "=="]] },
  riskCounterHoursBetween: { collection: COLLECTIONS.hours, where: [["hour", ">="], ["hour", "<"]] },
  availableCouriersByGeohash: { collection: COLLECTIONS.couriers, where: [["available", "=="]], orderBy: [["geohash", "asc"]] },

  // orders: sweeps
  ordersOverduePayBeforeNewestFirst,
  ordersOverdueAcceptByNewestFirst,
  ordersDispatchDueNewestFirst: { collection: orders, where: [["dispatch.dueAt", "<"]], orderBy: [["dispatch.dueAt", "desc"]] },
  ordersDispatchEscalationDueNewestFirst: { collection: orders, where: [["dispatch.escalateAt", "<"]], orderBy: [["dispatch.escalateAt", "desc"]] },
  ordersPaymentStalledNewestFirst: { collection: orders, where: [["payment.status", "=="], ["updatedAt", "<"]], orderBy: [["updatedAt", "desc"]] },
  ordersInStateWithPaymentState: { collection: orders, where: [["status", "=="], ["payment.status", "=="]] },
  outboxUnpublishedBefore,

  // notifications
  staffOfRestaurant: { collection: COLLECTIONS.users, where: [["restaurantIds", "array-contains"]] },
  notificationsLeaseExpired,
  customersById: { collection: COLLECTIONS.users, where: [["role", "=="]], orderBy: [[ID, "asc"]] },
  audienceById: { collection: COLLECTIONS.customers, orderBy: [[ID, "asc"]] },
  notificationsOfBroadcastInStatus: { collection: notifications, where: [["broadcastId", "=="], ["status", "=="]] },

  // ops: health, stuck work, ops:status
  ordersNeedingAttention: { collection: orders, where: [["attention", "!="]] },
  ordersFlaggedAs: { collection: orders, where: [["attention.reason", "=="]] },
  opsAlertsInStatus: { collection: COLLECTIONS.opsAlerts, where: [["status", "=="]] },
  // couriers' cash days: the operator's list of differences, and a courier's own days (the app)
  flaggedCashReconciliationsNewestFirst: { collection: COLLECTIONS.cashReconciliations, where: [["flagged", "=="]], orderBy: [["day", "desc"]] },
  cashReconciliationsOfCourierNewestFirst: { collection: COLLECTIONS.cashReconciliations, where: [["courierUid", "=="]], orderBy: [["day", "desc"]] },
  ordersOverduePayBefore,
  ordersOverdueAcceptBy,
  ordersOverdueAcceptedAt,
  ordersOverdueAcceptedAtNewestFirst,
  ordersOverdueUpdatedAt,
  ordersOverdueUpdatedAtNewestFirst,
  notificationsLeaseExpiredNewestFirst,
  notificationsLeaseExpiredOldestFirst,
  deadLettersByStatus,
  deadLettersByStatusNewestFirst,
  deadLettersByStatusOldestFirst,
  broadcastsInStatusNewestFirst: { collection: broadcasts, where: [["status", "=="]], orderBy: [["updatedAt", "desc"]] },
  broadcastsInStatusSilentNewestFirst: { collection: broadcasts, where: [["status", "=="], ["updatedAt", "<"]], orderBy: [["updatedAt", "desc"]] },
  outboxUnpublishedBeforeNewestFirst,
  outboxUnpublishedBeforeOldestFirst,
  ordersInState: { collection: orders, where: [["status", "=="]] },
  ordersInStateOldestFirst: { collection: orders, where: [["status", "=="]], orderBy: [["updatedAt", "asc"]] },
  ordersCreatedSince: { collection: orders, where: [["createdAt", ">="]] },
  ordersCreatedBetweenById: { collection: orders, where: [["createdAt", ">="], ["createdAt", "<"]], orderBy: [["createdAt", "asc"], [ID, "asc"]] },
  ordersInStatesCreatedSince: { collection: orders, where: [["status", "in"], ["createdAt", ">="]] },
  ordersDueForAcceptanceBetween: { collection: orders, where: [["acceptBy", ">="], ["acceptBy", "<"]] },

  // account erasure: everything that names a person
  ordersOfCustomer: { collection: orders, where: [["customerUid", "=="]] },
  ordersOfCourier: { collection: orders, where: [["courierUid", "=="]] },
  deliveriesOfCourier: { collection: COLLECTIONS.deliveries, where: [["courierUid", "=="]] },
  broadcastBatchesAtCursor: { collection: COLLECTIONS.batches, where: [["cursor", "=="]] },
  outboxOfCustomer: { collection: outbox, where: [["customerUid", "=="]] },
  outboxOfCourier: { collection: outbox, where: [["courierUid", "=="]] },
  notificationRequestsOfCustomer: { collection: COLLECTIONS.notificationRequests, where: [["customerUid", "=="]] },
  receiptsOfCustomer: { collection: COLLECTIONS.receipts, where: [["customerUid", "=="]] },
  invoicesOfCustomer: { collection: COLLECTIONS.invoices, where: [["customerUid", "=="]] },
  notificationRequestsOfCourier: { collection: COLLECTIONS.notificationRequests, where: [["courierUid", "=="]] },
  auditLogByActor: { collection: COLLECTIONS.auditLog, where: [["actorUid", "=="]] },
  auditLogByTarget: { collection: COLLECTIONS.auditLog, where: [["targetUid", "=="]] },
  deadLettersOfTaskRecipient: { collection: deadLetters, where: [["payload.data.uid", "=="]] },
  deadLettersOfTaskCourier: { collection: deadLetters, where: [["payload.data.courierUid", "=="]] },
  deadLettersOfEventCustomer: { collection: deadLetters, where: [["payload.body.customerUid", "=="]] },
  deadLettersOfEventCourier: { collection: deadLetters, where: [["payload.body.courierUid", "=="]] },
  notificationsOfUser: { collection: notifications, where: [["uid", "=="]] },
  smsUsageOfUser: { collection: COLLECTIONS.smsUsage, where: [["uid", "=="]] },
  probesOfUser: { collection: COLLECTIONS.probes, where: [["uid", "=="]] },
  idempotencyKeysInScope: { collection: COLLECTIONS.idempotencyKeys, where: [["scope", "=="]] },

  // the invariant auditor: whole collections, page by page in document order
  ordersOfRestaurantsById: { collection: orders, where: [["restaurantId", "in"]], orderBy: [[ID, "asc"]] },
  ordersWithPaymentMethodById: { collection: orders, where: [["paymentMethod", "=="]], orderBy: [[ID, "asc"]] },
  ordersInStatesById: { collection: orders, where: [["status", "in"]], orderBy: [[ID, "asc"]] },
  ordersByCheckoutKey: { collection: orders, orderBy: [["checkoutKey", "asc"], [ID, "asc"]] },
  ordersOfCheckoutKeysById: { collection: orders, where: [["checkoutKey", "in"]], orderBy: [[ID, "asc"]] },
  notificationsOfOrdersById: { collection: notifications, where: [["orderId", "in"]], orderBy: [[ID, "asc"]] },
  notificationsInStatesById: { collection: notifications, where: [["status", "in"]], orderBy: [[ID, "asc"]] },
  notificationsInStatusById: { collection: notifications, where: [["status", "=="]], orderBy: [[ID, "asc"]] },
  outboxOfOrdersById: { collection: outbox, where: [["orderId", "in"]], orderBy: [[ID, "asc"]] },
  outboxUnpublishedById: { collection: outbox, where: [["publishedAt", "=="]], orderBy: [[ID, "asc"]] },
  stockReservationsInStatesById: { collection: COLLECTIONS.stockReservations, where: [["status", "in"]], orderBy: [[ID, "asc"]] },
  inventoryById: { collection: COLLECTIONS.inventory, orderBy: [[ID, "asc"]] },
  ordersById: { collection: orders, orderBy: [[ID, "asc"]] },
  inventoryOfRestaurantsById: { collection: COLLECTIONS.inventory, where: [["restaurantId", "in"]], orderBy: [[ID, "asc"]] },
  deliveriesById: { collection: COLLECTIONS.deliveries, orderBy: [[ID, "asc"]] },
  promotionsById: { collection: COLLECTIONS.promotions, orderBy: [[ID, "asc"]] },
  promoRedemptionsOfCodeById: { collection: COLLECTIONS.promoRedemptions, where: [["code", "=="]], orderBy: [[ID, "asc"]] },
  promoUsesById: { collection: "uses", orderBy: [[ID, "asc"]] },
  deadLettersInStatusById: { collection: deadLetters, where: [["status", "=="]], orderBy: [[ID, "asc"]] },

  // the GraphQL API
  ordersOfCustomerNewestFirst: { collection: orders, where: [["customerUid", "=="]], orderBy: [["createdAt", "desc"], [ID, "desc"]] },
  boardOrdersOldestFirst: { collection: COLLECTIONS.openOrders, orderBy: [["placedAt", "asc"]] },

  // scripts
  deadLettersInStatuses: { collection: deadLetters, where: [["status", "in"]] },
  outboxOfOrder: { collection: outbox, where: [["orderId", "=="]] },
} as const satisfies Record<string, QueryShape>;

export type QueryName = keyof typeof QUERIES;

/** One value per declared filter, in the declaration's order. */
export type FilterValues<N extends QueryName> = (typeof QUERIES)[N] extends { where: infer W extends readonly Filter[] } ? { -readonly [K in keyof W]: unknown } : [];

/**
 * The declared query `name` with these filter values. `source` is the database (a top-level
 * collection or a collection group) or the collection itself (a subcollection); a collection of
 * another id is a programming error.
 */
export function shapedQuery<N extends QueryName>(name: N, source: Firestore | CollectionReference, ...values: FilterValues<N>): Query {
  const shape: QueryShape = QUERIES[name];
  const where = shape.where ?? [];
  if (values.length !== where.length) throw new Error(`Query ${name} takes ${where.length} values, got ${values.length}`);
  let query: Query;
  if ("collectionGroup" in source) {
    query = shape.group ? source.collectionGroup(shape.collection) : source.collection(shape.collection);
  } else {
    if (shape.group || source.id !== shape.collection) throw new Error(`Query ${name} reads ${shape.collection}, not ${source.path}`);
    query = source;
  }
  where.forEach(([field, op], n) => (query = query.where(field, op, values[n])));
  for (const [field, direction] of shape.orderBy ?? []) query = query.orderBy(field, direction);
  return query;
}
