/**
 * The public catalog API (express, served by the `catalog-api` function):
 *   GET /v1/restaurants                 list / search (see ListRestaurantsQuery)
 *   GET /v1/restaurants/:id/menu        a published restaurant's menu
 * Responses carry ETag and Cache-Control for the app and a CDN, and repeat reads within the
 * cache lifetime are answered from memory.
 */
import express, { type Request, type Response } from "express";
import { ListRestaurantsQuery } from "../contract/catalog";
import { Id } from "../contract/primitives";
import { correlationContext, errorResponder, ResponseCache, sendCacheableJson } from "../shared/http";
import { parseOrThrow } from "../shared/validation";
import { getMenu, listRestaurants } from "./browse.service";

/** Lists change with the clock (open now), menus with staff edits: both stay fresh within a minute. */
const LIST_CACHE = { maxAgeSeconds: 30, sharedMaxAgeSeconds: 60 };
const MENU_CACHE = { maxAgeSeconds: 60, sharedMaxAgeSeconds: 120 };

export interface CatalogApiOptions {
  /** How long an instance reuses a response it computed. 0 disables the cache. */
  cacheTtlMs?: number;
  now?: () => Date;
}

export function createCatalogApp(options: CatalogApiOptions = {}) {
  const now = options.now ?? (() => new Date());
  const cache = new ResponseCache(options.cacheTtlMs ?? LIST_CACHE.maxAgeSeconds * 1000, 1000);
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // ETags are computed in sendCacheableJson, once per cached body.
  app.use(correlationContext("catalog-api"));

  app.get("/v1/restaurants", async (req: Request, res: Response) => {
    const query = parseOrThrow(ListRestaurantsQuery, req.query);
    const body = await cache.get(`list:${JSON.stringify(query)}`, () => listRestaurants(query, now()));
    sendCacheableJson(req, res, body, LIST_CACHE);
  });

  app.get("/v1/restaurants/:restaurantId/menu", async (req: Request, res: Response) => {
    const restaurantId = parseOrThrow(Id, req.params.restaurantId);
    const body = await cache.get(`menu:${restaurantId}`, () => getMenu(restaurantId, now()));
    sendCacheableJson(req, res, body, MENU_CACHE);
  });

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: "not-found", message: "No such endpoint.", details: {} } });
  });
  app.use(errorResponder());
  return app;
}
