/**
 * A catalog file: restaurants with their categories and items, and stock levels of tracked
 * items (the format of scripts/dev/demo-catalog.json). Validated row by row with the same
 * schemas the catalog callables use and written in the same document shapes (catalog.model.ts).
 * Used by the admin import script and the demo-data seed.
 */
import { z } from "zod";
import { ImportMenuRequest, RestaurantFields } from "../contract/catalog";
import type { FieldError } from "../contract/errors";
import { Id } from "../contract/primitives";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { fieldErrors } from "../shared/validation";
import { setStockLevel } from "../inventory/stock.service";
import { inventoryId, restaurantDocument } from "./catalog.model";

const Envelope = z.strictObject({
  restaurants: z.array(z.looseObject({})).min(1),
  stock: z.array(z.strictObject({ restaurantId: Id, itemId: Id, onHand: z.number().int().min(0) })).default([]),
});

export interface ValidRestaurant {
  restaurantId: string;
  fields: z.infer<typeof RestaurantFields>;
  menu: ImportMenuRequest;
}

export interface CatalogPlan {
  restaurants: ValidRestaurant[];
  stock: { restaurantId: string; itemId: string; onHand: number }[];
  errors: FieldError[];
}

/** The field errors of a schema's issues, with paths relative to `prefix` (a row of the file). */
function issuesAt(prefix: string, issues: Parameters<typeof fieldErrors>[0]): FieldError[] {
  return fieldErrors(issues).map((e) => ({ ...e, path: [prefix, e.path].filter(Boolean).join(".") }));
}

/** Validates a parsed catalog file; every failing row is reported. */
export function planCatalog(raw: unknown): CatalogPlan {
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) return { restaurants: [], stock: [], errors: issuesAt("", envelope.error.issues) };

  const plan: CatalogPlan = { restaurants: [], stock: envelope.data.stock, errors: [] };
  const trackedItems = new Set<string>();
  envelope.data.restaurants.forEach((row, index) => {
    const { restaurantId, categories = [], items = [], ...fields } = row as Record<string, unknown>;
    const prefix = `restaurants.${index}`;
    const id = Id.safeParse(restaurantId);
    const parsedFields = RestaurantFields.safeParse(fields);
    const menu = ImportMenuRequest.safeParse({ restaurantId, categories, items });
    if (!id.success) plan.errors.push(...issuesAt(`${prefix}.restaurantId`, id.error.issues));
    if (!parsedFields.success) plan.errors.push(...issuesAt(prefix, parsedFields.error.issues));
    if (!menu.success) plan.errors.push(...issuesAt(prefix, menu.error.issues.filter((i) => i.path[0] !== "restaurantId")));
    // Checked on the raw rows, so one bad field of a row does not hide the others.
    const rawItems = Array.isArray(items) ? (items as { itemId?: unknown; tracksStock?: unknown; price?: { currency?: unknown } }[]) : [];
    if (parsedFields.success) {
      rawItems.forEach((item, i) => {
        const currency = item?.price?.currency;
        if (typeof currency === "string" && currency !== parsedFields.data.currency) {
          plan.errors.push({ path: `${prefix}.items.${i}.price.currency`, message: `Must be ${parsedFields.data.currency}, the restaurant's currency.` });
        }
      });
    }
    for (const item of rawItems) if (item?.tracksStock === true) trackedItems.add(inventoryId(String(restaurantId), String(item.itemId)));
    if (id.success && parsedFields.success && menu.success) plan.restaurants.push({ restaurantId: id.data, fields: parsedFields.data, menu: menu.data });
  });
  plan.stock.forEach((s, index) => {
    if (!trackedItems.has(inventoryId(s.restaurantId, s.itemId))) plan.errors.push({ path: `stock.${index}`, message: "Names no stock-tracked item of this file." });
  });
  return plan;
}

/**
 * Writes a valid plan, one batch per restaurant; importing the same file twice changes nothing.
 * Stock figures are counts of units on hand (open orders' units included): see setStockLevel.
 */
export async function writeCatalog(plan: CatalogPlan, progress: (line: string) => void): Promise<void> {
  const { FieldValue } = firestoreValues();
  const restaurants = db().collection(COLLECTIONS.restaurants);
  const stamp = { updatedAt: FieldValue.serverTimestamp(), updatedBy: "import" };
  for (const [index, r] of plan.restaurants.entries()) {
    const batch = db().batch();
    const ref = restaurants.doc(r.restaurantId);
    batch.set(ref, { ...restaurantDocument(r.fields), ...stamp });
    for (const { categoryId, ...category } of r.menu.categories) batch.set(ref.collection(COLLECTIONS.categories).doc(categoryId), { ...category, ...stamp });
    for (const { itemId, ...item } of r.menu.items) batch.set(ref.collection(COLLECTIONS.items).doc(itemId), { ...item, restaurantId: r.restaurantId, ...stamp });
    await batch.commit();
    progress(`[${index + 1}/${plan.restaurants.length}] ${r.fields.name}: ${r.menu.categories.length} categories, ${r.menu.items.length} items`);
  }
  let adjusted = 0;
  for (const s of plan.stock) {
    const result = await setStockLevel(s.restaurantId, s.itemId, s.onHand);
    if (result.adjusted !== 0) adjusted += 1;
    if (result.shortfall > 0) progress(`${s.restaurantId}/${s.itemId}: open orders hold ${result.reserved}, ${result.shortfall} more than the ${s.onHand} on hand; left reserved`);
  }
  if (plan.stock.length) progress(`stock levels: ${plan.stock.length} (${adjusted} adjusted)`);
}
