/**
 * How catalog documents are stored: the fields a request gives plus what queries need
 * (lower-cased name for prefix search, geohash for distance search). Used by the callables and
 * the import script alike, so both write the same shape.
 */
import { geohashForLocation } from "geofire-common";
import type { RestaurantFields } from "../contract/catalog";
import type { z } from "zod";

export function restaurantDocument(fields: z.infer<typeof RestaurantFields>) {
  return {
    ...fields,
    nameLower: fields.name.toLowerCase(),
    geohash: geohashForLocation([fields.location.lat, fields.location.lng]),
  };
}

/** Where an item's stock level lives: one document per tracked item. */
export function inventoryId(restaurantId: string, itemId: string): string {
  return `${restaurantId}__${itemId}`;
}
