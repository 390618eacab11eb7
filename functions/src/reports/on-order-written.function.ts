import { defineDocumentWritten } from "../shared/firestore-trigger";

/** Keeps the restaurant and payment reports in line with every change of an order. */
export const onOrderWritten = defineDocumentWritten(
  { name: "reports-onOrderWritten", document: "orders/{orderId}", options: { retry: true } },
  async () => (await import("./reports.service.js")).onOrderWritten,
);
