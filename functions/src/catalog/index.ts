/** The restaurant catalog: staff callables and the public browse API, each loaded on first access. */
import { exportLazily } from "../shared/lazy-exports";

exportLazily(exports, {
  saveRestaurant: () => require("./callables").saveRestaurant,
  saveCategory: () => require("./callables").saveCategory,
  deleteCategory: () => require("./callables").deleteCategory,
  saveItem: () => require("./callables").saveItem,
  deleteItem: () => require("./callables").deleteItem,
  importMenu: () => require("./callables").importMenu,
  api: () => require("./api.function").api,
});
