/** Notifications: what order events ask to be told. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  onOrderEvent: () => require("./on-order-event.function").onOrderEvent,
});
