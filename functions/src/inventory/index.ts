/** Inventory: stock follows the order's events. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
});
