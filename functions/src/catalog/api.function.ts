import type { Express } from "express";
import { onRequest } from "firebase-functions/v2/https";

let app: Express | undefined;

/** The public catalog API; express and the app are built on the first request. */
export const api = onRequest({ cors: true, memory: "512MiB", cpu: 1, concurrency: 80 }, async (req, res) => {
  app ??= (await import("./api.app.js")).createCatalogApp();
  app(req, res);
});
