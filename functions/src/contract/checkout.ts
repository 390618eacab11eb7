/**
 * Checkout: the app sends what the customer chose; the server prices everything from the
 * catalog (never from the client's numbers), reserves stock, creates the order and, for cards,
 * returns what the Stripe PaymentSheet needs.
 */
import { z } from "zod";
import { TaxClass } from "./catalog.js";
import { Address } from "./profile.js";
import { Id, MinorUnits } from "./primitives.js";

/** Units of one item an order may hold, over all its lines together. */
export const MAX_QUANTITY_PER_ITEM = 50;

export const CheckoutLine = z.strictObject({
  itemId: Id,
  quantity: z
    .number()
    .int("Must be a whole number.")
    .min(1, "Must be at least 1.")
    .max(MAX_QUANTITY_PER_ITEM, `At most ${MAX_QUANTITY_PER_ITEM} of one item per order.`),
  /** Chosen options per modifier group of the item. */
  modifiers: z
    .array(z.strictObject({ groupId: Id, optionIds: z.array(Id).max(10) }))
    .max(10)
    .default([]),
});

export const PAYMENT_METHODS = ["card", "cash"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

export const CheckoutRequest = z.strictObject({
  restaurantId: Id,
  lines: z
    .array(CheckoutLine)
    .min(1, "Add at least one item.")
    .max(30)
    .superRefine((lines, ctx) => {
      // The same item on several lines counts once: every line that takes it past the cap is named.
      const taken = new Map<string, number>();
      lines.forEach((line, index) => {
        const sum = (taken.get(line.itemId) ?? 0) + line.quantity;
        taken.set(line.itemId, sum);
        if (sum > MAX_QUANTITY_PER_ITEM && line.quantity <= MAX_QUANTITY_PER_ITEM) {
          ctx.addIssue({ code: "custom", path: [index, "quantity"], message: `At most ${MAX_QUANTITY_PER_ITEM} of one item per order, over all lines.` });
        }
      });
    }),
  deliveryAddress: Address,
  /** Tip for the courier, in minor units of the restaurant's currency. */
  tip: MinorUnits.default(0),
  promoCode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9-]{3,32}$/, "Not a promo code.")
    .optional(),
  paymentMethod: z.enum(PAYMENT_METHODS),
  /**
   * The app's id for this device (its installation id, or the `deviceId` notifications-registerDevice
   * answered); optional. The fraud rules count orders per device with it, as a keyed hash only.
   */
  deviceId: Id.optional(),
  /**
   * Made by the app once per checkout attempt (a UUID) and reused when it retries: the same key
   * with the same request returns the same order; with a different request it is refused.
   */
  idempotencyKey: z.string().regex(/^[A-Za-z0-9_-]{8,128}$/, "Use 8 to 128 letters, digits, '-' or '_' (a UUID)."),
});
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

export const PricedLine = z.object({
  itemId: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: z.number().int(),
  modifiers: z.array(z.object({ groupId: z.string(), optionId: z.string(), name: z.string(), priceDelta: z.number().int() })),
  lineTotal: z.number().int(),
  /** The rate class the line is taxed at. */
  taxClass: TaxClass,
  /** The line's share of the order's discount (shares sum to `discount`). */
  discountShare: z.number().int(),
  /** Tax on `lineTotal - discountShare` at the class's rate. */
  tax: z.number().int(),
});

/** Tax of one class: `tax` over all classes sums to the breakdown's `tax`. */
export const TaxLine = z.object({
  taxClass: TaxClass,
  rateBps: z.number().int(),
  /** Line totals of the class less their discount shares. */
  taxable: z.number().int(),
  tax: z.number().int(),
});
export type TaxLine = z.infer<typeof TaxLine>;

/**
 * All amounts in minor units of `currency`. total = subtotal - discount + deliveryFee + tax + tip.
 * Tax is per line by the item's class (checkout/taxes.ts); delivery fee and tip are untaxed.
 */
export const PriceBreakdown = z.object({
  currency: z.string(),
  lines: z.array(PricedLine),
  subtotal: z.number().int(),
  discount: z.number().int(),
  deliveryFee: z.number().int(),
  /** The sum of `taxes[].tax`. */
  tax: z.number().int(),
  /** Tax per class present in the order. */
  taxes: z.array(TaxLine),
  tip: z.number().int(),
  total: z.number().int(),
  distanceKm: z.number(),
});
export type PriceBreakdown = z.infer<typeof PriceBreakdown>;

/** What `@stripe/stripe-react-native`'s `initPaymentSheet` needs. */
export const CardPaymentSheet = z.object({
  provider: z.literal("stripe"),
  /** The order's PaymentIntent (`orders/{id}.payment.intentId`): what support and Stripe's dashboard name. */
  paymentIntentId: z.string(),
  paymentIntentClientSecret: z.string(),
  customerId: z.string(),
  customerEphemeralKeySecret: z.string(),
});

export const CheckoutResponse = z.object({
  orderId: z.string(),
  /**
   * `held`: a fraud rule holds the order for an admin's review; nothing is charged and the
   * restaurant does not see it. Approved, it becomes awaiting_payment (check out again with the
   * same idempotency key for the payment sheet) or placed; rejected, cancelled.
   */
  status: z.enum(["held", "awaiting_payment", "placed"]),
  breakdown: PriceBreakdown,
  /** Card orders: complete payment within this time or the reservation lapses (ISO 8601). */
  payBefore: z.string().nullable(),
  payment: CardPaymentSheet.nullable(),
});
export type CheckoutResponse = z.infer<typeof CheckoutResponse>;

// ------------------------------------------------------------------- the cart quote

/** A cart to price: checkout's request without the payment method and the key (nothing is kept). */
export const QuoteRequest = CheckoutRequest.omit({ paymentMethod: true, idempotencyKey: true });
export type QuoteRequest = z.infer<typeof QuoteRequest>;

const QuoteField = z.object({ path: z.string(), message: z.string() });

/**
 * Something about the cart the customer should see. With `blocksCheckout`, checkout refuses
 * the cart as it is with this `reason` (`restaurant-closed`, `item-unavailable`,
 * `out-of-stock`); `low-stock` only says few units are left.
 */
export const QuoteWarning = z.object({
  reason: z.string(),
  message: z.string(),
  fields: z.array(QuoteField),
  blocksCheckout: z.boolean(),
});
export type QuoteWarning = z.infer<typeof QuoteWarning>;

/** The promo code's outcome: applied, or refused with checkout's reason (the cart is then priced without it). */
export const QuotePromo = z.object({
  code: z.string(),
  applied: z.boolean(),
  discount: z.number().int(),
  reason: z.string().optional(),
  message: z.string().optional(),
});

/** When the order would arrive, in minutes from now, and what the estimate is made of. */
export const QuoteEta = z.object({
  minutes: z.number().int(),
  /** The kitchen's preparation time. */
  prepMinutes: z.number().int(),
  /** The orders ahead in the kitchen (its open orders now), a few minutes each. */
  queueMinutes: z.number().int(),
  openOrders: z.number().int(),
  /** Pickup and the ride at a courier's average speed. */
  travelMinutes: z.number().int(),
});

/** A payment method and whether checkout would accept it now; if not, checkout's refusal reason. */
export const QuotePaymentMethod = z.object({
  method: z.enum(PAYMENT_METHODS),
  available: z.boolean(),
  reason: z.string().optional(),
  message: z.string().optional(),
  retryAfterSeconds: z.number().int().optional(),
});

export const QuoteResponse = z.object({
  /** Exactly what checkout would charge for this cart (without a refused promo code). */
  breakdown: PriceBreakdown,
  promo: QuotePromo.nullable(),
  warnings: z.array(QuoteWarning),
  /** True when checkout would take the cart as it is: no blocking warning and no refused promo. */
  canCheckout: z.boolean(),
  eta: QuoteEta,
  paymentMethods: z.array(QuotePaymentMethod),
});
export type QuoteResponse = z.infer<typeof QuoteResponse>;
