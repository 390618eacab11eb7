/**
 * The catalog's callables (staff of the restaurant, or admins). They share one file because
 * they share one trigger SDK: loading the file costs an instance no more than loading one.
 */
import { CALLABLES } from "../contract/callables";
import { defineCallable, type CallableSpec } from "../shared/callable";

const service = () => import("./catalog.service.js");
const editors = (name: string, extra: Partial<CallableSpec> = {}): CallableSpec => ({
  name,
  access: ["staff", "admin"],
  rateLimit: { max: 120, windowSeconds: 60 },
  ...extra,
});

/** Creates (admins) or replaces (staff of it, admins) a restaurant. */
export const saveRestaurant = defineCallable(editors(CALLABLES.saveRestaurant), async () => (await service()).saveRestaurant);

/** Creates or replaces a menu category. */
export const saveCategory = defineCallable(editors(CALLABLES.saveCategory), async () => (await service()).saveCategory);

/** Deletes an empty menu category. */
export const deleteCategory = defineCallable(editors(CALLABLES.deleteCategory), async () => (await service()).deleteCategory);

/** Creates or replaces a menu item. */
export const saveItem = defineCallable(editors(CALLABLES.saveItem), async () => (await service()).saveItem);

/** Deletes a menu item. */
export const deleteItem = defineCallable(editors(CALLABLES.deleteItem), async () => (await service()).deleteItem);

/** Writes a whole menu, all or nothing. */
export const importMenu = defineCallable(
  editors(CALLABLES.importMenu, { rateLimit: { max: 10, windowSeconds: 60 }, maxPayloadBytes: 1024 * 1024 }),
  async () => (await service()).importMenu,
);
