/**
 * Browsing published restaurants: what Firestore alone answers poorly. Near a point (delivery
 * cells, then exact distance against each restaurant's own delivery radius), by cuisine, by
 * name prefix, open now, with cursor pagination. Every read is bounded: a public request never
 * costs more than a fixed number of documents, whatever its parameters or cursor.
 */
import { distanceBetween } from "geofire-common";
import type { DocumentData, Query } from "firebase-admin/firestore";
import {
  DEFAULT_TAX_CLASS,
  type ListRestaurantsQuery,
  type ListRestaurantsResponse,
  type MenuResponse,
  type OpeningHours,
  type RestaurantSummary,
} from "../contract/catalog";
import { COLLECTIONS } from "../shared/collections";
import { invalidArgument, notFound } from "../shared/errors";
import { db } from "../shared/firebase";
import { log } from "../shared/log";
import { deliveryCellOf } from "./catalog.model";
import { isOpenAt } from "./opening-hours";
import { shapedQuery } from "../shared/queries";

interface RestaurantDocument {
  name: string;
  nameLower: string;
  description?: string;
  address: string;
  cuisines: string[];
  location: { lat: number; lng: number };
  deliveryRadiusKm: number;
  deliveryFee: number;
  currency: string;
  openingHours: OpeningHours;
  published: boolean;
  imageUrl?: string;
}

/**
 * How long browsers, the app and a CDN may keep an answer (the catalog API and GraphQL's public
 * queries): lists change with the clock (open now), menus with staff edits; both stay fresh
 * within a minute.
 */
export const LIST_CACHE = { maxAgeSeconds: 30, sharedMaxAgeSeconds: 60 };
export const MENU_CACHE = { maxAgeSeconds: 60, sharedMaxAgeSeconds: 120 };

/** Restaurants one listing request reads at most by name; `openNow` may leave a page short of `limit`. */
export const MAX_LIST_READS = 100;
/** Restaurants read for one delivery cell at most; a denser cell is logged (time for finer cells). */
export const MAX_CELL_RESTAURANTS = 200;
/** Categories and items read for one menu at most; a bigger menu is logged. */
export const MAX_MENU_CATEGORIES = 100;
export const MAX_MENU_ITEMS = 500;

function summary(id: string, r: RestaurantDocument, now: Date, distanceKm?: number): RestaurantSummary {
  return {
    id,
    name: r.name,
    cuisines: r.cuisines,
    location: r.location,
    deliveryRadiusKm: r.deliveryRadiusKm,
    deliveryFee: r.deliveryFee,
    currency: r.currency,
    openNow: isOpenAt(r.openingHours, now),
    imageUrl: r.imageUrl ?? null,
    ...(distanceKm === undefined ? {} : { distanceKm: Math.round(distanceKm * 100) / 100 }),
  };
}

function matches(r: RestaurantDocument, query: ListRestaurantsQuery, now: Date): boolean {
  if (query.cuisine && !r.cuisines.includes(query.cuisine)) return false;
  if (query.q && !r.nameLower.startsWith(query.q)) return false;
  if (query.openNow !== undefined && isOpenAt(r.openingHours, now) !== query.openNow) return false;
  return true;
}

/** Cursors are opaque to clients: the sort key of the last result they saw. */
function encodeCursor(key: [string | number, string]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decodeCursor<K extends string | number>(cursor: string | undefined, kind: "number" | "string"): [K, string] | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(key) && key.length === 2 && typeof key[0] === kind && typeof key[1] === "string") return key as [K, string];
  } catch {
    // Falls through to the error below.
  }
  throw invalidArgument([{ path: "cursor", message: "Not a cursor this endpoint issued; start again without it." }]);
}

/** A published restaurant as read from Firestore, before the query's filters. */
export interface CellRestaurant {
  id: string;
  r: RestaurantDocument;
}

/** Reads the restaurants of one delivery cell, for `listRestaurants`; the app caches them per cell. */
export type CellReader = (cell: string) => Promise<CellRestaurant[]>;

/** The delivery cell a near-me query resolves to; undefined for a listing by name. */
export function nearCellOf(query: ListRestaurantsQuery): string | undefined {
  return query.lat !== undefined && query.lng !== undefined ? deliveryCellOf({ lat: query.lat, lng: query.lng }) : undefined;
}

/**
 * The key under which an instance reuses what a listing read. Near me: the delivery cell alone,
 * since one read of the cell serves every point, filter, page size and cursor within it (they are
 * applied in memory). By name: every parameter, normalized (the cursor decoded), so spellings of
 * one request share an entry and a malformed cursor is refused before it takes one.
 */
export function listCacheKey(query: ListRestaurantsQuery): string {
  const cell = nearCellOf(query);
  if (cell) return `near:${cell}`;
  const after = decodeCursor<string>(query.cursor, "string");
  return `name:${JSON.stringify([query.cuisine ?? null, query.q ?? null, query.openNow ?? null, query.limit, after ?? null])}`;
}

export async function listRestaurants(query: ListRestaurantsQuery, now = new Date(), readCell: CellReader = readDeliveryCell): Promise<ListRestaurantsResponse> {
  const cell = nearCellOf(query);
  if (!cell || query.lat === undefined || query.lng === undefined) return listByName(query, now);
  return listNear(query, [query.lat, query.lng], await readCell(cell), now);
}

/** The published restaurants whose delivery area touches `cell`, at most MAX_CELL_RESTAURANTS. */
export async function readDeliveryCell(cell: string): Promise<CellRestaurant[]> {
  const snapshot = await shapedQuery("restaurantsInDeliveryCell", db(), true, cell).limit(MAX_CELL_RESTAURANTS).get();
  if (snapshot.size === MAX_CELL_RESTAURANTS) log.warn("catalog.cell-truncated", { cell, read: snapshot.size });
  return snapshot.docs.map((doc) => ({ id: doc.id, r: doc.data() as RestaurantDocument }));
}

/**
 * Within delivery range of a point, nearest first, from the restaurants of the point's cell:
 * the exact distance from the point itself decides.
 */
function listNear(query: ListRestaurantsQuery, center: [number, number], restaurants: CellRestaurant[], now: Date): ListRestaurantsResponse {
  const after = decodeCursor<number>(query.cursor, "number");
  const candidates: { id: string; r: RestaurantDocument; distanceKm: number }[] = [];
  for (const { id, r } of restaurants) {
    const distanceKm = distanceBetween([r.location.lat, r.location.lng], center);
    if (distanceKm <= r.deliveryRadiusKm && matches(r, query, now)) candidates.push({ id, r, distanceKm });
  }
  candidates.sort((a, b) => a.distanceKm - b.distanceKm || a.id.localeCompare(b.id));
  const start = after ? candidates.findIndex((c) => c.distanceKm > after[0] || (c.distanceKm === after[0] && c.id > after[1])) : 0;
  const page = start < 0 ? [] : candidates.slice(start, start + query.limit);
  const last = page.at(-1);
  const more = start >= 0 && start + query.limit < candidates.length;
  return {
    restaurants: page.map((c) => summary(c.id, c.r, now, c.distanceKm)),
    nextCursor: more && last ? encodeCursor([last.distanceKm, last.id]) : null,
  };
}

/** Alphabetical by name, optionally by cuisine and name prefix (both served by indexes). */
async function listByName(query: ListRestaurantsQuery, now: Date): Promise<ListRestaurantsResponse> {
  const prefix = query.q ? ([query.q, `${query.q}\uf8ff`] as const) : null;
  const base: Query<DocumentData> = query.cuisine
    ? prefix
      ? shapedQuery("restaurantsOfCuisineByNamePrefix", db(), true, query.cuisine, ...prefix)
      : shapedQuery("restaurantsOfCuisineByName", db(), true, query.cuisine)
    : prefix
      ? shapedQuery("restaurantsByNamePrefix", db(), true, ...prefix)
      : shapedQuery("restaurantsByName", db(), true);

  const results: RestaurantSummary[] = [];
  let after = decodeCursor<string>(query.cursor, "string");
  let exhausted = false;
  let full = false;
  // openNow is filtered here, so a page may need more than one read: MAX_LIST_READS documents in all.
  for (let read = 0; read < MAX_LIST_READS && !full && !exhausted; ) {
    const batch = Math.min(query.limit * 2, MAX_LIST_READS - read);
    const snapshot = await (after ? base.startAfter(after[0], after[1]) : base).limit(batch).get();
    read += snapshot.size;
    exhausted = snapshot.size < batch;
    for (const doc of snapshot.docs) {
      const r = doc.data() as RestaurantDocument;
      after = [r.nameLower, doc.id];
      if (matches(r, query, now)) results.push(summary(doc.id, r, now));
      if (results.length === query.limit) {
        full = true;
        break;
      }
    }
  }
  // The cursor is the last restaurant examined, so skipped (closed) ones are not read again.
  const more = full || !exhausted;
  return { restaurants: results, nextCursor: more && after ? encodeCursor(after) : null };
}

/**
 * A published restaurant's menu, categories in order, items within them by name. The restaurant
 * is read first: an unknown or unpublished one costs one read, not its whole menu.
 */
export async function getMenu(restaurantId: string, now = new Date()): Promise<MenuResponse> {
  const ref = db().collection(COLLECTIONS.restaurants).doc(restaurantId);
  const restaurant = await ref.get();
  const r = restaurant.data() as RestaurantDocument | undefined;
  if (!r?.published) throw notFound("Restaurant", "restaurant-not-found");
  const [categories, items] = await Promise.all([
    shapedQuery("menuCategoriesInOrder", ref.collection(COLLECTIONS.categories)).limit(MAX_MENU_CATEGORIES).get(),
    ref.collection(COLLECTIONS.items).limit(MAX_MENU_ITEMS).get(),
  ]);
  if (categories.size === MAX_MENU_CATEGORIES || items.size === MAX_MENU_ITEMS) {
    log.warn("catalog.menu-truncated", { restaurantId, categories: categories.size, items: items.size });
  }
  const byCategory = new Map<string, MenuResponse["categories"][number]["items"]>();
  for (const doc of items.docs) {
    const { categoryId, name, description, price, modifierGroups, available, tracksStock, taxClass, imageUrls } = doc.data();
    const list = byCategory.get(categoryId) ?? [];
    list.push({ id: doc.id, name, description, price, modifierGroups: modifierGroups ?? [], available, tracksStock: tracksStock ?? false, taxClass: taxClass ?? DEFAULT_TAX_CLASS, imageUrls: imageUrls ?? [] });
    byCategory.set(categoryId, list);
  }
  return {
    restaurant: { ...summary(restaurant.id, r, now), description: r.description ?? null, address: r.address, openingHours: r.openingHours },
    categories: categories.docs.map((c) => ({
      id: c.id,
      name: c.get("name") as string,
      position: c.get("position") as number,
      items: (byCategory.get(c.id) ?? []).sort((a, b) => a.name.localeCompare(b.name)),
    })),
  };
}
