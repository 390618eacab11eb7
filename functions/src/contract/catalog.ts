/**
 * The restaurant catalog: restaurants, menu categories and items. Staff edit their own
 * restaurants' catalog through the `catalog-*` callables (admins edit all and create
 * restaurants); anyone browses published restaurants directly or through the HTTPS catalog API.
 */
import { z } from "zod";
import { LegalParty } from "./billing.js";
import { Currency, GeoPoint, HttpsUrl, Id, MinorUnits, Money, SafeText, TimeZone } from "./primitives.js";

/** A restaurant delivers at most this far; geo queries search this radius. */
export const MAX_DELIVERY_RADIUS_KM = 30;

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const ClockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "Use HH:MM, 00:00 to 24:00.");

/** An opening interval; a `close` earlier than `open` runs past midnight into the next day. */
export const OpeningInterval = z
  .strictObject({ open: ClockTime, close: ClockTime })
  .refine((i) => i.open !== i.close, { message: "Opening and closing times must differ.", path: ["close"] });

export const OpeningHours = z.strictObject({
  timeZone: TimeZone,
  /** Days absent or with no intervals are closed. */
  weekly: z.partialRecord(z.enum(WEEKDAYS), z.array(OpeningInterval).max(4)),
});
export type OpeningHours = z.infer<typeof OpeningHours>;

const Name = SafeText().min(1).max(80);
const Description = SafeText({ multiline: true }).max(500);
const Cuisine = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z -]{0,29}$/, "Use letters, spaces and '-', up to 30 characters.");

/**
 * How an item is taxed (checkout/taxes.ts): each class has a rate, the restaurant's or the
 * project default. Items without one are `food`.
 */
export const TAX_CLASSES = ["food", "drinks"] as const;
export type TaxClass = (typeof TAX_CLASSES)[number];
export const TaxClass = z.enum(TAX_CLASSES);
/** The class of an item that names none (items written before tax classes existed). */
export const DEFAULT_TAX_CLASS: TaxClass = "food";

/** A tax rate in basis points: 1000 is 10%. */
export const TaxRateBps = z.number().int("Must be a whole number of basis points.").min(0).max(10_000, "At most 10000 (100%).");

export const RestaurantFields = z.strictObject({
  name: Name,
  description: Description.optional(),
  cuisines: z.array(Cuisine).min(1).max(10),
  location: GeoPoint,
  address: SafeText().min(1).max(200),
  deliveryRadiusKm: z.number().min(0.5).max(MAX_DELIVERY_RADIUS_KM),
  /** Base delivery fee; checkout adds a per-km component. */
  deliveryFee: MinorUnits,
  openingHours: OpeningHours,
  currency: Currency,
  published: z.boolean(),
  imageUrl: HttpsUrl.optional(),
  /** Usual minutes from accepting an order to having it ready: the cart quote's ETA starts from it (default 15). */
  prepMinutes: z.number().int().min(1).max(180).optional(),
  /** Tax rate per class; a class left out is taxed at the project default (checkout/taxes.ts). */
  taxRatesBps: z.partialRecord(TaxClass, TaxRateBps).optional(),
  /** The business behind the restaurant, as its receipts and invoices name the seller. */
  legal: LegalParty.optional(),
});

/** Without `restaurantId` creates a restaurant (admins only); with it replaces its fields. */
export const SaveRestaurantRequest = RestaurantFields.extend({ restaurantId: Id.optional() });
export type SaveRestaurantRequest = z.infer<typeof SaveRestaurantRequest>;

export const SaveCategoryRequest = z.strictObject({
  restaurantId: Id,
  categoryId: Id.optional(),
  name: Name,
  position: z.number().int().min(0).max(1000),
});
export type SaveCategoryRequest = z.infer<typeof SaveCategoryRequest>;

export const ModifierOption = z.strictObject({
  id: Id,
  name: Name,
  /** Added to the item price; negative for a discount option ("no cheese"). */
  priceDelta: z.number().int("Must be a whole number of minor units.").min(-100_000_000).max(100_000_000),
  available: z.boolean().default(true),
});

export const ModifierGroup = z
  .strictObject({
    id: Id,
    name: Name,
    /** How many options the customer must pick at least (0: optional group). */
    minSelect: z.number().int().min(0).max(10),
    maxSelect: z.number().int().min(1).max(10),
    options: z.array(ModifierOption).min(1).max(30),
  })
  .refine((g) => g.maxSelect >= g.minSelect, { message: "maxSelect must be at least minSelect.", path: ["maxSelect"] })
  .refine((g) => g.minSelect <= g.options.length, { message: "minSelect exceeds the number of options.", path: ["minSelect"] })
  .refine((g) => new Set(g.options.map((o) => o.id)).size === g.options.length, { message: "Option ids must be unique.", path: ["options"] });

export const ItemFields = z.strictObject({
  categoryId: Id,
  name: Name,
  description: Description.optional(),
  /** In the restaurant's currency. */
  price: Money,
  modifierGroups: z
    .array(ModifierGroup)
    .max(10)
    .refine((groups) => new Set(groups.map((g) => g.id)).size === groups.length, "Modifier group ids must be unique.")
    .default([]),
  available: z.boolean(),
  /** Tracked items are reserved at checkout and can sell out. */
  tracksStock: z.boolean().default(false),
  /** Which tax rate applies to it (food, drinks). */
  taxClass: TaxClass.default(DEFAULT_TAX_CLASS),
  imageUrls: z.array(HttpsUrl).max(5).default([]),
});

export const SaveItemRequest = ItemFields.extend({ restaurantId: Id, itemId: Id.optional() });
export type SaveItemRequest = z.infer<typeof SaveItemRequest>;

export const DeleteItemRequest = z.strictObject({ restaurantId: Id, itemId: Id });
export type DeleteItemRequest = z.infer<typeof DeleteItemRequest>;

export const DeleteCategoryRequest = z.strictObject({ restaurantId: Id, categoryId: Id });
export type DeleteCategoryRequest = z.infer<typeof DeleteCategoryRequest>;

/**
 * Writes a whole menu at once, all or nothing. Rows carry their own ids, so importing the same
 * menu twice changes nothing the second time. At most 400 rows (one Firestore batch).
 */
export const ImportMenuRequest = z
  .strictObject({
    restaurantId: Id,
    categories: z.array(SaveCategoryRequest.omit({ restaurantId: true }).extend({ categoryId: Id })).max(100),
    items: z.array(ItemFields.extend({ itemId: Id })).max(300),
  })
  .superRefine((menu, ctx) => {
    const categoryIds = new Set(menu.categories.map((c) => c.categoryId));
    menu.items.forEach((item, index) => {
      if (!categoryIds.has(item.categoryId)) {
        ctx.addIssue({ code: "custom", path: ["items", index, "categoryId"], message: "Names no category of this import." });
      }
    });
  });
export type ImportMenuRequest = z.infer<typeof ImportMenuRequest>;

export const SavedResponse = z.object({ id: z.string() });
export type SavedResponse = z.infer<typeof SavedResponse>;

export const ImportMenuResponse = z.object({ categories: z.number().int(), items: z.number().int() });
export type ImportMenuResponse = z.infer<typeof ImportMenuResponse>;

// ------------------------------------------------------------------- browsing (HTTPS API)

export const RestaurantSummary = z.object({
  id: z.string(),
  name: z.string(),
  cuisines: z.array(z.string()),
  location: GeoPoint,
  deliveryRadiusKm: z.number(),
  deliveryFee: MinorUnits,
  currency: z.string(),
  openNow: z.boolean(),
  imageUrl: z.string().nullable(),
  /** Present when the query gave a location. */
  distanceKm: z.number().optional(),
});
export type RestaurantSummary = z.infer<typeof RestaurantSummary>;

export const ListRestaurantsResponse = z.object({
  restaurants: z.array(RestaurantSummary),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type ListRestaurantsResponse = z.infer<typeof ListRestaurantsResponse>;

export const MenuItem = ItemFields.omit({ categoryId: true }).extend({ id: z.string() });
export const MenuResponse = z.object({
  restaurant: RestaurantSummary.extend({ description: z.string().nullable(), address: z.string(), openingHours: OpeningHours }),
  categories: z.array(z.object({ id: z.string(), name: z.string(), position: z.number(), items: z.array(MenuItem) })),
});
export type MenuResponse = z.infer<typeof MenuResponse>;

/**
 * Query string of `GET /v1/restaurants`. Give `lat` and `lng` together to search by distance.
 * Unknown parameters (tracking tags, cache busters) are ignored, so they cannot vary the answer.
 */
export const ListRestaurantsQuery = z
  .object({
    lat: z.coerce.number().min(-90).max(90).optional(),
    lng: z.coerce.number().min(-180).max(180).optional(),
    cuisine: Cuisine.optional(),
    /** Prefix of the restaurant name, any case. */
    q: SafeText().toLowerCase().min(1).max(40).optional(),
    openNow: z
      .enum(["true", "false"])
      .transform((value) => value === "true")
      .optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
    cursor: z.string().max(400).regex(/^[A-Za-z0-9_-]*$/, "Not a cursor this endpoint issued.").optional(),
  })
  .refine((q) => (q.lat === undefined) === (q.lng === undefined), { message: "Give lat and lng together.", path: ["lng"] });
export type ListRestaurantsQuery = z.infer<typeof ListRestaurantsQuery>;
