/** Checkout: the checkout callable and the payment-window expiry task, each loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  placeOrder: () => require("./place-order.function").placeOrder,
  expireUnpaidOrder: () => require("./expire-unpaid-order.function").expireUnpaidOrder,
});
