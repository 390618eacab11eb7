/** Administration functions, each loaded on first access (see shared/lazy-exports.ts). */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  setUserRole: () => require("./set-user-role.function").setUserRole,
  banUser: () => require("./ban-user.function").banUser,
  unbanUser: () => require("./unban-user.function").unbanUser,
  listHeldOrders: () => require("./list-held-orders.function").listHeldOrders,
  reviewHeldOrder: () => require("./review-held-order.function").reviewHeldOrder,
});
