import { onRequest } from "firebase-functions/v2/https";

/** Receipts and invoices as PDF, for their readers (documents.service.ts). */
export const documents = onRequest({ memory: "512MiB", timeoutSeconds: 30 }, async (req, res) => {
  await (await import("./documents.service.js")).serveDocument(req, res);
});
