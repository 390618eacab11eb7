/**
 * Browsing published restaurants: what Firestore alone answers poorly. Near a point (delivery
 * cells, then exact distance against each restaurant's own delivery radius), by cuisine, by
 * name prefix, open now, with cursor pagination.
 */
import { distanceBetween } from "geofire-common";
import type { DocumentData, Query } from "firebase-admin/firestore";
import {
  type ListRestaurantsQuery,
  type ListRestaurantsResponse,
  type MenuResponse,
  type OpeningHours,
  type RestaurantSummary,
} from "../contract/catalog";
import { COLLECTIONS } from "../shared/collections";
import { invalidArgument, notFound } from "../shared/errors";
import { db } from "../shared/firebase";
import { deliveryCellOf } from "./catalog.model";
import { isOpenAt } from "./opening-hours";

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

/** Pages of the name-ordered listing fetched at most, when `openNow` filters many out. */
const MAX_SCAN_PAGES = 5;

const published = () => db().collection(COLLECTIONS.restaurants).where("published", "==", true);

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

export async function listRestaurants(query: ListRestaurantsQuery, now = new Date()): Promise<ListRestaurantsResponse> {
  return query.lat !== undefined && query.lng !== undefined
    ? listNear(query, [query.lat, query.lng], now)
    : listByName(query, now);
}

/**
 * Within delivery range of a point, nearest first. One query reads the restaurants whose
 * delivery area touches the point's cell; the exact distance decides.
 */
async function listNear(query: ListRestaurantsQuery, center: [number, number], now: Date): Promise<ListRestaurantsResponse> {
  const after = decodeCursor<number>(query.cursor, "number");
  const cell = deliveryCellOf({ lat: center[0], lng: center[1] });
  const snapshot = await published().where("deliveryCells", "array-contains", cell).get();
  const candidates: { id: string; r: RestaurantDocument; distanceKm: number }[] = [];
  for (const doc of snapshot.docs) {
    const r = doc.data() as RestaurantDocument;
    const distanceKm = distanceBetween([r.location.lat, r.location.lng], center);
    if (distanceKm <= r.deliveryRadiusKm && matches(r, query, now)) candidates.push({ id: doc.id, r, distanceKm });
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
  let base: Query<DocumentData> = published();
  if (query.cuisine) base = base.where("cuisines", "array-contains", query.cuisine);
  if (query.q) base = base.where("nameLower", ">=", query.q).where("nameLower", "<", `${query.q}\uf8ff`);
  base = base.orderBy("nameLower").orderBy("__name__");

  const results: RestaurantSummary[] = [];
  let after = decodeCursor<string>(query.cursor, "string");
  let exhausted = false;
  let full = false;
  // openNow is filtered here, so a page may need more than one read; bounded by MAX_SCAN_PAGES.
  for (let page = 0; page < MAX_SCAN_PAGES && !full && !exhausted; page += 1) {
    const batch = query.limit * 2;
    const snapshot = await (after ? base.startAfter(after[0], after[1]) : base).limit(batch).get();
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

/** A published restaurant's whole menu, categories in order, items within them by name. */
export async function getMenu(restaurantId: string, now = new Date()): Promise<MenuResponse> {
  const ref = db().collection(COLLECTIONS.restaurants).doc(restaurantId);
  const [restaurant, categories, items] = await Promise.all([
    ref.get(),
    ref.collection(COLLECTIONS.categories).orderBy("position").get(),
    ref.collection(COLLECTIONS.items).get(),
  ]);
  const r = restaurant.data() as RestaurantDocument | undefined;
  if (!r?.published) throw notFound("Restaurant", "restaurant-not-found");
  const byCategory = new Map<string, MenuResponse["categories"][number]["items"]>();
  for (const doc of items.docs) {
    const { categoryId, name, description, price, modifierGroups, available, tracksStock, imageUrls } = doc.data();
    const list = byCategory.get(categoryId) ?? [];
    list.push({ id: doc.id, name, description, price, modifierGroups: modifierGroups ?? [], available, tracksStock: tracksStock ?? false, imageUrls: imageUrls ?? [] });
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
