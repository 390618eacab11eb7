/** Checkout: the checkout and cart-quote callables and the payment-window expiry task, each loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  placeOrder: () => require("./place-order.function").placeOrder,
  quoteCart: () => require("./quote-cart.function").quoteCart,
  expireUnpaidOrder: () => require("./expire-unpaid-order.function").expireUnpaidOrder,
});
