/** Billing: the receipt of every delivered order, and its receipts and invoices as PDF. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
  documents: () => require("./documents.function").documents,
});
