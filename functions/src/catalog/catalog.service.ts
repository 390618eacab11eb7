/**
 * Catalog administration: restaurants, categories and items, written only through these
 * callables. Each checks the caller may manage the restaurant and that everything it refers to
 * exists, inside the transaction that writes, so a refused request changes nothing.
 */
import type { Transaction } from "firebase-admin/firestore";
import {
  DeleteCategoryRequest,
  DeleteItemRequest,
  ImportMenuRequest,
  SaveCategoryRequest,
  SaveItemRequest,
  SaveRestaurantRequest,
  type ImportMenuResponse,
  type SavedResponse,
} from "../contract/catalog";
import type { FieldError } from "../contract/errors";
import type { CallableImpl, Caller } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { failedPrecondition, invalidArgument, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { assertCanManageRestaurant } from "./access";
import { restaurantDocument } from "./catalog.model";
import { shapedQuery } from "../shared/queries";

const restaurants = () => db().collection(COLLECTIONS.restaurants);
const categories = (restaurantId: string) => restaurants().doc(restaurantId).collection(COLLECTIONS.categories);
const items = (restaurantId: string) => restaurants().doc(restaurantId).collection(COLLECTIONS.items);

function stamp(caller: Caller) {
  const { FieldValue } = firestoreValues();
  return { updatedAt: FieldValue.serverTimestamp(), updatedBy: caller.uid, correlationId: caller.correlationId };
}

/** Reads the restaurant in `tx`, or refuses with not-found naming the request field. */
async function requireRestaurant(tx: Transaction, restaurantId: string, field = "restaurantId") {
  const snapshot = await tx.get(restaurants().doc(restaurantId));
  if (!snapshot.exists) throw notFound("Restaurant", "restaurant-not-found", field);
  return snapshot.data() as { currency: string };
}

function currencyMismatches(currency: string, prices: { path: string; currency: string }[]): FieldError[] {
  return prices
    .filter((p) => p.currency !== currency)
    .map((p) => ({ path: p.path, message: `Must be ${currency}, the restaurant's currency.` }));
}

export const saveRestaurant: CallableImpl<SaveRestaurantRequest, SavedResponse> = {
  input: SaveRestaurantRequest,
  async run({ restaurantId, ...fields }, caller) {
    const { FieldValue } = firestoreValues();
    const derived = { ...restaurantDocument(fields), ...stamp(caller) };
    if (!restaurantId) {
      if (caller.role !== "admin") throw permissionDenied("Only admins create restaurants.", "admin-only");
      const ref = restaurants().doc();
      await ref.create({ ...derived, createdAt: FieldValue.serverTimestamp() });
      log.info("catalog.restaurant-created", { restaurantId: ref.id });
      return { id: ref.id };
    }
    assertCanManageRestaurant(caller, restaurantId);
    await db().runTransaction(async (tx) => {
      await requireRestaurant(tx, restaurantId);
      tx.set(restaurants().doc(restaurantId), derived, { merge: true });
    });
    log.info("catalog.restaurant-saved", { restaurantId });
    return { id: restaurantId };
  },
};

export const saveCategory: CallableImpl<SaveCategoryRequest, SavedResponse> = {
  input: SaveCategoryRequest,
  async run({ restaurantId, categoryId, ...fields }, caller) {
    assertCanManageRestaurant(caller, restaurantId);
    const ref = categoryId ? categories(restaurantId).doc(categoryId) : categories(restaurantId).doc();
    await db().runTransaction(async (tx) => {
      await requireRestaurant(tx, restaurantId);
      tx.set(ref, { ...fields, ...stamp(caller) });
    });
    log.info("catalog.category-saved", { restaurantId, categoryId: ref.id });
    return { id: ref.id };
  },
};

export const deleteCategory: CallableImpl<DeleteCategoryRequest, SavedResponse> = {
  input: DeleteCategoryRequest,
  async run({ restaurantId, categoryId }, caller) {
    assertCanManageRestaurant(caller, restaurantId);
    await db().runTransaction(async (tx) => {
      const category = await tx.get(categories(restaurantId).doc(categoryId));
      if (!category.exists) throw notFound("Category", "category-not-found", "categoryId");
      const inUse = await tx.get(shapedQuery("itemsOfCategory", items(restaurantId), categoryId).limit(1));
      if (!inUse.empty) throw failedPrecondition("Move or delete the category's items first.", "category-not-empty");
      tx.delete(category.ref);
    });
    log.info("catalog.category-deleted", { restaurantId, categoryId });
    return { id: categoryId };
  },
};

export const saveItem: CallableImpl<SaveItemRequest, SavedResponse> = {
  input: SaveItemRequest,
  async run({ restaurantId, itemId, ...fields }, caller) {
    assertCanManageRestaurant(caller, restaurantId);
    const ref = itemId ? items(restaurantId).doc(itemId) : items(restaurantId).doc();
    await db().runTransaction(async (tx) => {
      const restaurant = await requireRestaurant(tx, restaurantId);
      const category = await tx.get(categories(restaurantId).doc(fields.categoryId));
      if (!category.exists) throw notFound("Category", "category-not-found", "categoryId");
      const mismatches = currencyMismatches(restaurant.currency, [{ path: "price.currency", currency: fields.price.currency }]);
      if (mismatches.length) throw invalidArgument(mismatches);
      tx.set(ref, { ...fields, restaurantId, ...stamp(caller) });
    });
    log.info("catalog.item-saved", { restaurantId, itemId: ref.id });
    return { id: ref.id };
  },
};

export const deleteItem: CallableImpl<DeleteItemRequest, SavedResponse> = {
  input: DeleteItemRequest,
  async run({ restaurantId, itemId }, caller) {
    assertCanManageRestaurant(caller, restaurantId);
    await db().runTransaction(async (tx) => {
      const item = await tx.get(items(restaurantId).doc(itemId));
      if (!item.exists) throw notFound("Item", "item-not-found", "itemId");
      tx.delete(item.ref);
    });
    log.info("catalog.item-deleted", { restaurantId, itemId });
    return { id: itemId };
  },
};

export const importMenu: CallableImpl<ImportMenuRequest, ImportMenuResponse> = {
  input: ImportMenuRequest,
  async run(menu, caller) {
    assertCanManageRestaurant(caller, menu.restaurantId);
    await db().runTransaction(async (tx) => {
      const restaurant = await requireRestaurant(tx, menu.restaurantId);
      const prices = menu.items.map((item, index) => ({ path: `items.${index}.price.currency`, currency: item.price.currency }));
      const mismatches = currencyMismatches(restaurant.currency, prices);
      if (mismatches.length) throw invalidArgument(mismatches);
      for (const { categoryId, ...category } of menu.categories) {
        tx.set(categories(menu.restaurantId).doc(categoryId), { ...category, ...stamp(caller) });
      }
      for (const { itemId, ...item } of menu.items) {
        tx.set(items(menu.restaurantId).doc(itemId), { ...item, restaurantId: menu.restaurantId, ...stamp(caller) });
      }
    });
    log.info("catalog.menu-imported", { restaurantId: menu.restaurantId, categories: menu.categories.length, items: menu.items.length });
    return { categories: menu.categories.length, items: menu.items.length };
  },
};
