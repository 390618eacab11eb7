import type { Express } from "express";
import { onRequest } from "firebase-functions/v2/https";
import { appCheckEnforced, catalogApiPerMinute } from "../shared/params";

let app: Express | undefined;

/** The public catalog API; express and the app are built on the first request. */
export const api = onRequest({ cors: true, memory: "512MiB", cpu: 1, concurrency: 80 }, async (req, res) => {
  app ??= (await import("./api.app.js")).createCatalogApp({
    rateLimit: { max: catalogApiPerMinute.value(), windowSeconds: 60 },
    appCheck: { enforced: appCheckEnforced.value() },
  });
  app(req, res);
});
