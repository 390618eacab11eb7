/**
 * What receipts and invoices are made of: the delivered order's lines and totals, its tax lines
 * (tax-lines.ts) and the seller's legal details from the restaurant, frozen into the record when
 * it is created. The PDF is rendered from the record alone, never from the order or the
 * restaurant as they are later.
 */
import type { DocumentData } from "firebase-admin/firestore";
import type { LegalParty } from "../contract/billing";
import type { PriceBreakdown, TaxLine } from "../contract/checkout";
import type { Locale } from "../notifications/templates";
import { taxLinesOf } from "./tax-lines";

/** The seller as a document prints it; `taxId` null when the restaurant has not given its legal details. */
export interface Seller {
  legalName: string;
  addressLines: string[];
  taxId: string | null;
}

export interface DocumentLine {
  description: string;
  quantity: number;
  unitPrice: number;
  lineTotal: number;
  /** The class the line is taxed at; null on an order priced before tax classes (one rate for all). */
  taxClass: string | null;
}

/** The fields receipts and invoices share. Dates are epoch milliseconds here, Timestamps in Firestore. */
export interface DocumentContent {
  orderId: string;
  customerUid: string;
  restaurantId: string;
  seller: Seller;
  currency: string;
  lines: DocumentLine[];
  subtotal: number;
  discount: number;
  deliveryFee: number;
  tip: number;
  taxes: TaxLine[];
  tax: number;
  total: number;
  paymentMethod: string;
  /** When the order was delivered: the supply date. */
  suppliedAtMs: number;
  locale: Locale;
}

export const addressLinesOf = (address: LegalParty["address"]) => [address.line1, ...(address.line2 ? [address.line2] : []), `${address.postalCode} ${address.city}`, address.country];

export function sellerOf(restaurant: DocumentData): Seller {
  const legal = restaurant.legal as LegalParty | undefined;
  if (legal) return { legalName: legal.legalName, addressLines: addressLinesOf(legal.address), taxId: legal.taxId };
  return { legalName: String(restaurant.name ?? ""), addressLines: [String(restaurant.address ?? "")], taxId: null };
}

/** When the order became `delivered`, from its history. */
export function deliveredAtMs(order: DocumentData): number | null {
  const entry = ((order.history as { to?: string; at?: { toMillis(): number } }[] | undefined) ?? []).filter((h) => h.to === "delivered").at(-1);
  return entry?.at ? entry.at.toMillis() : null;
}

/** The content of a delivered order's documents. */
export function documentContent(orderId: string, order: DocumentData, restaurant: DocumentData, locale: Locale, fallbackSuppliedAtMs: number): DocumentContent {
  const breakdown = order.breakdown as Omit<PriceBreakdown, "taxes"> & { taxes?: TaxLine[] };
  // Before tax classes a restaurant could set one rate for everything (`taxRateBps`).
  const taxes = taxLinesOf(breakdown, restaurant.taxRateBps as number | undefined);
  return {
    orderId,
    customerUid: order.customerUid as string,
    restaurantId: order.restaurantId as string,
    seller: sellerOf(restaurant),
    currency: breakdown.currency,
    lines: breakdown.lines.map((line) => ({
      description: [line.name, ...line.modifiers.map((m) => m.name)].join(", "),
      quantity: line.quantity,
      unitPrice: line.unitPrice + line.modifiers.reduce((sum, m) => sum + m.priceDelta, 0),
      lineTotal: line.lineTotal,
      taxClass: (line as { taxClass?: string }).taxClass ?? null,
    })),
    subtotal: breakdown.subtotal,
    discount: breakdown.discount,
    deliveryFee: breakdown.deliveryFee,
    tip: breakdown.tip,
    taxes,
    tax: breakdown.tax,
    total: breakdown.total,
    paymentMethod: String(order.paymentMethod ?? ""),
    suppliedAtMs: deliveredAtMs(order) ?? fallbackSuppliedAtMs,
    locale,
  };
}

/** A record as Firestore holds it: the dates as Timestamps. */
export function toRecord(content: DocumentContent, extra: Record<string, unknown>, Timestamp: { fromMillis(ms: number): unknown }) {
  const { suppliedAtMs, ...rest } = content;
  return { ...rest, suppliedAt: Timestamp.fromMillis(suppliedAtMs), ...extra };
}
