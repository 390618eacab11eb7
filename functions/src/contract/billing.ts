/**
 * Receipts and invoices. A delivered order gets a receipt (`receipts/{orderId}`) by itself; its
 * customer may ask for an invoice with their legal details (`orders-requestInvoice`), numbered
 * per restaurant without gaps. Both are immutable records the app reads (Firestore, rules:
 * the customer, the restaurant's staff and admins) and fetches as PDF from
 * `GET {billing-documents}/receipts/{orderId}.pdf` or `/invoices/{invoiceId}.pdf` with
 * `Authorization: Bearer <Firebase ID token>`.
 */
import { z } from "zod";
import { Id, SafeText } from "./primitives.js";

export const LegalAddress = z.strictObject({
  line1: SafeText().min(1).max(120),
  line2: SafeText().max(120).optional(),
  city: SafeText().min(1).max(80),
  postalCode: SafeText().min(1).max(16),
  country: z.string().regex(/^[A-Z]{2}$/, "Use a two-letter ISO 3166 code, e.g. ES."),
});
export type LegalAddress = z.infer<typeof LegalAddress>;

/** A tax id as issued (VAT number, NIF, EIN…): 5 to 20 letters and digits; spaces, dots and dashes dropped, letters in capitals. */
export const TaxId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9 .-]{3,38}[A-Za-z0-9]$/, "Use the tax id as issued, e.g. ESB12345678: 5 to 20 letters and digits.")
  .transform((value) => value.replace(/[\s.-]/g, "").toUpperCase())
  .refine((value) => /^[A-Z0-9]{5,20}$/.test(value), "Use the tax id as issued, e.g. ESB12345678: 5 to 20 letters and digits.");

/** Who an invoice is made out to, or who issues it (a restaurant's `legal` details). */
export const LegalParty = z.strictObject({
  legalName: SafeText().min(2).max(200),
  address: LegalAddress,
  taxId: TaxId,
});
export type LegalParty = z.infer<typeof LegalParty>;

export const RequestInvoiceRequest = z.strictObject({
  orderId: Id,
  buyer: LegalParty,
});
export type RequestInvoiceRequest = z.infer<typeof RequestInvoiceRequest>;

export const InvoiceResponse = z.object({
  invoiceId: z.string(),
  /** 1, 2, 3… per restaurant, without gaps. */
  number: z.number().int().min(1),
  /** The number as printed: `{series}-{number, six digits}`. */
  displayNumber: z.string(),
  /** ISO 8601. */
  issuedAt: z.string(),
  /** Path of the PDF under the billing-documents function. */
  pdfPath: z.string(),
  /** False when the order already had this invoice (a retried request): nothing new was numbered. */
  created: z.boolean(),
});
export type InvoiceResponse = z.infer<typeof InvoiceResponse>;
