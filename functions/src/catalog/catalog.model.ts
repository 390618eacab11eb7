/**
 * How catalog documents are stored: the fields a request gives plus what queries need
 * (lower-cased name for prefix search, delivery cells for "who delivers here"). Used by the callables and
 * the import script alike, so both write the same shape.
 */
import { geohashForLocation } from "geofire-common";
import type { GeoPoint } from "../contract/primitives";
import type { RestaurantFields } from "../contract/catalog";
import type { z } from "zod";

/**
 * Delivery areas are indexed by geohash cells of this length (about 4.9 km square at the
 * equator, 0.044 degrees a side): a restaurant lists every cell its delivery circle touches,
 * and a "who delivers here" query is one `array-contains` on the customer's cell, reading only
 * restaurants that may deliver there.
 */
export const DELIVERY_CELL_PRECISION = 5;
const CELL_DEGREES = 360 / 2 ** 13; // longitude span of a 5-character cell; latitude's is the same
const KM_PER_DEGREE_LATITUDE = 111.32;

export function deliveryCellOf(point: GeoPoint): string {
  return geohashForLocation([point.lat, point.lng], DELIVERY_CELL_PRECISION);
}

/** Every cell touched by the bounding box of the circle (the exact distance is checked at query time). */
export function deliveryCells(center: GeoPoint, radiusKm: number): string[] {
  const dLat = radiusKm / KM_PER_DEGREE_LATITUDE;
  const dLng = radiusKm / (KM_PER_DEGREE_LATITUDE * Math.max(0.01, Math.cos((center.lat * Math.PI) / 180)));
  // Samples closer together than a cell, edges included, hit every cell the box overlaps.
  const step = CELL_DEGREES / 2;
  const cells = new Set<string>();
  for (let lat = center.lat - dLat; ; lat = Math.min(lat + step, center.lat + dLat)) {
    for (let lng = center.lng - dLng; ; lng = Math.min(lng + step, center.lng + dLng)) {
      cells.add(deliveryCellOf({ lat: Math.max(-90, Math.min(90, lat)), lng: ((((lng + 180) % 360) + 360) % 360) - 180 }));
      if (lng >= center.lng + dLng) break;
    }
    if (lat >= center.lat + dLat) break;
  }
  return [...cells].sort();
}

export function restaurantDocument(fields: z.infer<typeof RestaurantFields>) {
  return {
    ...fields,
    nameLower: fields.name.toLowerCase(),
    deliveryCells: deliveryCells(fields.location, fields.deliveryRadiusKm),
  };
}

/** Where an item's stock level lives: one document per tracked item. */
export function inventoryId(restaurantId: string, itemId: string): string {
  return `${restaurantId}__${itemId}`;
}
