/**
 * GraphQL's public catalog reads: the catalog API's own services (browse.service.ts), its query
 * schema and its per-instance caches, so both answer the same data and the same errors. The
 * arguments are GraphQL's names for the API's query parameters (`name` for `q`, `first` for
 * `limit`, `after` for `cursor`), and a failing field is named as the client sent it.
 */
import { ListRestaurantsQuery, type ListRestaurantsResponse, type MenuResponse } from "../contract/catalog";
import { Id } from "../contract/primitives";
import { type CellRestaurant, getMenu, listCacheKey, listRestaurants, nearCellOf, readDeliveryCell } from "../catalog/browse.service";
import { DomainError, invalidArgument } from "../shared/errors";
import { MemoryCache } from "../shared/http";
import { parseOrThrow } from "../shared/validation";

export interface RestaurantsNearArgs {
  lat: number;
  lng: number;
  cuisine?: string | null;
  openNow?: boolean | null;
  name?: string | null;
  first?: number | null;
  after?: string | null;
}

const ARGUMENT_OF: Record<string, string> = { q: "name", limit: "first", cursor: "after" };

/** Restaurants near a point and menus, cached per instance for `ttlMs` as the catalog API caches them. */
export function createCatalogReads(ttlMs: number, now: () => Date) {
  const cells = new MemoryCache<CellRestaurant[]>(ttlMs, 500);
  const menus = new MemoryCache<MenuResponse>(ttlMs, 1000);
  return {
    async restaurantsNear(args: RestaurantsNearArgs): Promise<ListRestaurantsResponse> {
      const query = renamingFields(() =>
        parseOrThrow(ListRestaurantsQuery, {
          lat: args.lat,
          lng: args.lng,
          cuisine: args.cuisine ?? undefined,
          q: args.name ?? undefined,
          openNow: args.openNow === null || args.openNow === undefined ? undefined : String(args.openNow),
          limit: args.first ?? undefined,
          cursor: args.after ?? undefined,
        }),
      );
      const key = renamingFields(() => listCacheKey(query));
      if (ttlMs === 0 || !nearCellOf(query)) return renamingFields(() => listRestaurants(query, now()));
      return renamingFields(() => listRestaurants(query, now(), (cell) => cells.get(key, () => readDeliveryCell(cell))));
    },

    async menu(restaurantId: string): Promise<MenuResponse> {
      const id = renamingFields(() => parseOrThrow(Id, restaurantId), "restaurantId");
      return ttlMs === 0 ? getMenu(id, now()) : menus.get(id, () => getMenu(id, now()));
    },
  };
}

/** Runs `work`, naming failing fields by their GraphQL argument (`root` for a bare value). */
function renamingFields<T>(work: () => T, root?: string): T {
  const rename = (error: unknown): never => {
    if (error instanceof DomainError && error.extra.fields) {
      const fields = error.extra.fields.map((f) => ({ ...f, path: f.path === "" && root ? root : (ARGUMENT_OF[f.path] ?? f.path) }));
      throw error.code === "invalid-argument" ? invalidArgument(fields) : new DomainError(error.code, error.message, { ...error.extra, fields });
    }
    throw error;
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(rename) : result) as T;
  } catch (error) {
    return rename(error);
  }
}
