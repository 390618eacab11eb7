/** Reports: restaurant and payment projections kept from the orders. Loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  onOrderWritten: () => require("./on-order-written.function").onOrderWritten,
});
