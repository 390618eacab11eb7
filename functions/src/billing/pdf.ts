/**
 * Receipts and invoices as PDF, with `pdfkit`, from their Firestore record alone. Deterministic:
 * the document info (and so the file id pdfkit derives from it) carries the record's issue date,
 * never the time of rendering, so the same record always gives the same bytes and a PDF can be
 * rendered again whenever it is asked for instead of being stored.
 */
import type { DocumentContent } from "./billing-document";
import type { Locale } from "../notifications/templates";

/** A receipt's or invoice's fields as printed (the record's, without whose it is). */
export interface PrintableDocument extends Omit<DocumentContent, "customerUid" | "restaurantId"> {
  kind: "receipt" | "invoice";
  /** Printed as the document's number: the order reference for a receipt, the invoice number. */
  number: string;
  /** Invoices only. */
  buyer?: { legalName: string; addressLines: string[]; taxId: string };
  issuedAtMs: number;
}

const LABELS = {
  en: {
    receipt: "Receipt",
    invoice: "Invoice",
    number: "Number",
    order: "Order",
    issued: "Issue date",
    supplied: "Supply date",
    seller: "Seller",
    buyer: "Bill to",
    taxId: "Tax ID",
    item: "Item",
    qty: "Qty",
    unit: "Unit price",
    amount: "Amount",
    subtotal: "Subtotal",
    discount: "Discount",
    deliveryFee: "Delivery",
    taxable: "Taxable base",
    tax: "Tax",
    tip: "Tip (not taxed)",
    total: "Total",
    paid: "Payment",
    card: "card",
    cash: "cash",
    pricesExclude: "Prices exclude tax; tax is charged on the taxable base at the rate shown.",
  },
  es: {
    receipt: "Recibo",
    invoice: "Factura",
    number: "Número",
    order: "Pedido",
    issued: "Fecha de expedición",
    supplied: "Fecha de la operación",
    seller: "Emisor",
    buyer: "Destinatario",
    taxId: "NIF",
    item: "Artículo",
    qty: "Cant.",
    unit: "Precio unitario",
    amount: "Importe",
    subtotal: "Subtotal",
    discount: "Descuento",
    deliveryFee: "Envío",
    taxable: "Base imponible",
    tax: "Impuesto",
    tip: "Propina (no sujeta)",
    total: "Total",
    paid: "Pago",
    card: "tarjeta",
    cash: "efectivo",
    pricesExclude: "Precios sin impuestos; el impuesto se aplica a la base imponible al tipo indicado.",
  },
} as const;

/** Amounts and dates in the document's language; dates in UTC, so the output does not depend on the server. */
const money = (amount: number, currency: string, locale: Locale) => new Intl.NumberFormat(locale === "es" ? "es-ES" : "en-GB", { style: "currency", currency }).format(amount / 100);
const day = (ms: number, locale: Locale) => new Intl.DateTimeFormat(locale === "es" ? "es-ES" : "en-GB", { dateStyle: "long", timeZone: "UTC" }).format(new Date(ms));
const percent = (bps: number) => `${(bps / 100).toFixed(bps % 100 === 0 ? 0 : 2)} %`;

export async function renderPdf(doc: PrintableDocument): Promise<Buffer> {
  const PDFDocument = require("pdfkit") as typeof import("pdfkit");
  const t = LABELS[doc.locale];
  const issued = new Date(doc.issuedAtMs);
  const pdf = new PDFDocument({
    size: "A4",
    margin: 50,
    info: { Title: `${t[doc.kind]} ${doc.number}`, Author: doc.seller.legalName, Subject: `${t.order} ${doc.orderId}`, Creator: "food-delivery", Producer: "food-delivery", CreationDate: issued, ModDate: issued },
  });
  const chunks: Buffer[] = [];
  pdf.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });
  const m = (amount: number) => money(amount, doc.currency, doc.locale);

  pdf.font("Helvetica-Bold").fontSize(20).text(`${t[doc.kind]} ${doc.number}`);
  pdf.moveDown(0.5).font("Helvetica").fontSize(10);
  pdf.text(`${t.order}: ${doc.orderId}`);
  pdf.text(`${t.issued}: ${day(doc.issuedAtMs, doc.locale)}`);
  pdf.text(`${t.supplied}: ${day(doc.suppliedAtMs, doc.locale)}`);

  const party = (title: string, who: { legalName: string; addressLines: string[]; taxId: string | null }) => {
    pdf.moveDown().font("Helvetica-Bold").text(title).font("Helvetica");
    pdf.text(who.legalName);
    for (const line of who.addressLines) pdf.text(line);
    if (who.taxId) pdf.text(`${t.taxId}: ${who.taxId}`);
  };
  party(t.seller, doc.seller);
  if (doc.buyer) party(t.buyer, doc.buyer);

  pdf.moveDown();
  const columns = [50, 300, 350, 450];
  const row = (cells: string[], bold = false) => {
    const y = pdf.y;
    pdf.font(bold ? "Helvetica-Bold" : "Helvetica");
    cells.forEach((cell, i) => pdf.text(cell, columns[i], y, { width: i === 0 ? 240 : 95, align: i === 0 ? "left" : "right" }));
    pdf.x = 50;
  };
  row([t.item, t.qty, t.unit, t.amount], true);
  // Each line says its rate when the order has more than one.
  const rateOf = (taxClass: string | null) => (doc.taxes.length > 1 ? doc.taxes.find((t) => t.taxClass === taxClass) : undefined);
  for (const line of doc.lines) {
    const rate = rateOf(line.taxClass);
    row([rate ? `${line.description} (${percent(rate.rateBps)})` : line.description, String(line.quantity), m(line.unitPrice), m(line.lineTotal)]);
  }
  pdf.moveDown();
  const total = (label: string, amount: string, bold = false) => row([label, "", "", amount], bold);
  total(t.subtotal, m(doc.subtotal));
  if (doc.discount) total(t.discount, m(-doc.discount));
  total(t.deliveryFee, m(doc.deliveryFee));
  for (const line of doc.taxes) {
    total(`${t.taxable} (${line.taxClass}, ${percent(line.rateBps)})`, m(line.taxable));
    total(`${t.tax} ${percent(line.rateBps)}`, m(line.tax));
  }
  if (doc.tip) total(t.tip, m(doc.tip));
  total(t.total, m(doc.total), true);
  pdf.moveDown();
  pdf.font("Helvetica").text(`${t.paid}: ${doc.paymentMethod === "cash" ? t.cash : t.card}`, 50);
  pdf.fontSize(8).text(t.pricesExclude, 50);
  pdf.end();
  return done;
}
