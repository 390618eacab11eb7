/** From a stored receipt or invoice to what the PDF prints, and the PDF itself. */
import type { DocumentData } from "firebase-admin/firestore";
import type { EmailAttachment } from "../notifications/email";
import { renderPdf, type PrintableDocument } from "./pdf";

const millis = (value: unknown) => (value as { toMillis(): number }).toMillis();

function common(record: DocumentData): Omit<PrintableDocument, "kind" | "number" | "buyer"> {
  return {
    orderId: record.orderId,
    seller: record.seller,
    currency: record.currency,
    lines: record.lines,
    subtotal: record.subtotal,
    discount: record.discount,
    deliveryFee: record.deliveryFee,
    tip: record.tip,
    taxes: record.taxes,
    tax: record.tax,
    total: record.total,
    paymentMethod: record.paymentMethod,
    issuedAtMs: millis(record.issuedAt),
    suppliedAtMs: millis(record.suppliedAt),
    locale: record.locale === "es" ? "es" : "en",
  };
}

export const receiptPdf = (record: DocumentData) => renderPdf({ ...common(record), kind: "receipt", number: record.number });

export const invoicePdf = (record: DocumentData) =>
  renderPdf({ ...common(record), kind: "invoice", number: record.displayNumber, buyer: { legalName: record.buyer.legalName, addressLines: record.buyer.addressLines, taxId: record.buyer.taxId } });

export const receiptFileName = (orderId: string) => `receipt-${orderId}.pdf`;
export const invoiceFileName = (displayNumber: string) => `invoice-${displayNumber}.pdf`;

/** The PDF a receipt email carries. */
export async function receiptAttachmentOf(record: DocumentData): Promise<EmailAttachment> {
  return { filename: receiptFileName(record.orderId as string), contentType: "application/pdf", content: await receiptPdf(record) };
}
