/**
 * The public catalog API (express, served by the `catalog-api` function):
 *   GET /v1/restaurants                 list / search (see ListRestaurantsQuery)
 *   GET /v1/restaurants/:id/menu        a published restaurant's menu
 * Responses carry ETag and Cache-Control for the app and a CDN, and repeat reads within the
 * cache lifetime are answered from memory. Every request passes a rate limit per client address
 * and, when enforced, App Check.
 */
import express, { type Request, type Response } from "express";
import { ListRestaurantsQuery } from "../contract/catalog";
import { Id } from "../contract/primitives";
import {
  type AppCheckGuard,
  correlationContext,
  errorResponder,
  MemoryCache,
  rateLimitByClient,
  requireAppCheck,
  ResponseCache,
  sendCacheableJson,
} from "../shared/http";
import { LocalRateLimiter, type RateLimit } from "../shared/rate-limit";
import { parseOrThrow } from "../shared/validation";
import { type CellRestaurant, getMenu, LIST_CACHE, listCacheKey, listRestaurants, MENU_CACHE, nearCellOf, readDeliveryCell } from "./browse.service";

export interface CatalogApiOptions {
  /** Requests per client address; `none` only for tests and benchmarks. */
  rateLimit: RateLimit | "none";
  appCheck: AppCheckGuard;
  /** How long an instance reuses a response it computed. 0 disables the cache. */
  cacheTtlMs?: number;
  now?: () => Date;
}

export function createCatalogApp(options: CatalogApiOptions) {
  const now = options.now ?? (() => new Date());
  const ttlMs = options.cacheTtlMs ?? LIST_CACHE.maxAgeSeconds * 1000;
  const responses = new ResponseCache(ttlMs, 1000);
  // What one delivery cell holds serves every near-me request in it; the answer itself (distances
  // from the exact point, open now) is computed per request from it, in memory.
  const cells = new MemoryCache<CellRestaurant[]>(ttlMs, 500);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // ETags are computed in sendCacheableJson, once per cached body.
  app.use(correlationContext("catalog-api"));
  // Buckets in this instance's memory, not Firestore: a transaction per request would cost more
  // than the cached read it guards and add a round trip to every answer, and a busy address's
  // document would take more writes a second than one document sustains. Each instance holds
  // the budget, so every instance bounds the Firestore reads one address can cause.
  if (options.rateLimit !== "none") app.use(rateLimitByClient(new LocalRateLimiter(options.rateLimit)));
  app.use(requireAppCheck(options.appCheck));

  app.get("/v1/restaurants", async (req: Request, res: Response) => {
    const query = parseOrThrow(ListRestaurantsQuery, req.query);
    const key = listCacheKey(query);
    const body = nearCellOf(query)
      ? JSON.stringify(await listRestaurants(query, now(), (cell) => cells.get(key, () => readDeliveryCell(cell))))
      : await responses.get(key, () => listRestaurants(query, now()));
    sendCacheableJson(req, res, body, LIST_CACHE);
  });

  app.get("/v1/restaurants/:restaurantId/menu", async (req: Request, res: Response) => {
    const restaurantId = parseOrThrow(Id, req.params.restaurantId);
    const body = await responses.get(`menu:${restaurantId}`, () => getMenu(restaurantId, now()));
    sendCacheableJson(req, res, body, MENU_CACHE);
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: "not-found", message: "No such endpoint.", details: {} } });
  });
  app.use(errorResponder());
  return app;
}
