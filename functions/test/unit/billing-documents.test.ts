/**
 * Receipts and invoices without the emulator: the PDF is a function of the record (same record,
 * same bytes), the tax lines, and the validation of legal details.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { documentContent } from "../../src/billing/billing-document";
import { renderPdf, type PrintableDocument } from "../../src/billing/pdf";
import { taxLinesOf } from "../../src/billing/tax-lines";
import { LegalParty, RequestInvoiceRequest } from "../../src/contract/billing";

const RECORD: PrintableDocument = {
  kind: "invoice",
  number: "F-STOCK-000001",
  orderId: "order-1",
  seller: { legalName: "Cocina de Prueba S.L.", addressLines: ["Calle Mayor 1", "28013 Madrid", "ES"], taxId: "ESB12345678" },
  buyer: { legalName: "Comprador S.A.", addressLines: ["Gran Vía 2", "28013 Madrid", "ES"], taxId: "ESA87654321" },
  currency: "EUR",
  lines: [{ description: "Paella, grande", quantity: 2, unitPrice: 1250, lineTotal: 2500, taxClass: "food" }],
  subtotal: 2500,
  discount: 0,
  deliveryFee: 199,
  tip: 100,
  taxes: [{ taxClass: "food", rateBps: 1000, taxable: 2500, tax: 250 }],
  tax: 250,
  total: 3049,
  paymentMethod: "card",
  issuedAtMs: Date.parse("2026-11-30T13:00:00Z"),
  suppliedAtMs: Date.parse("2026-11-30T12:00:00Z"),
  locale: "es",
};

describe("document PDFs", () => {
  it("renders the same record to the same bytes, whenever it is rendered", async () => {
    const first = await renderPdf(RECORD);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await renderPdf(structuredClone(RECORD));
    assert.equal(first.subarray(0, 5).toString("latin1"), "%PDF-");
    assert.ok(first.equals(second), "byte for byte");
  });

  it("renders another record to other bytes (the issue date is in the file, not the render time)", async () => {
    const base = await renderPdf(RECORD);
    assert.ok(!base.equals(await renderPdf({ ...RECORD, issuedAtMs: RECORD.issuedAtMs + 86_400_000 })));
    assert.ok(!base.equals(await renderPdf({ ...RECORD, number: "F-STOCK-000002" })));
  });
});

describe("tax lines", () => {
  const breakdown = { currency: "EUR", lines: [], subtotal: 2500, discount: 500, deliveryFee: 199, tax: 200, tip: 0, total: 2399, distanceKm: 1 };

  it("rebuild one line on (subtotal - discount) at the restaurant's rate for an order priced before tax classes", () => {
    assert.deepEqual(taxLinesOf(breakdown, undefined), [{ taxClass: "food", rateBps: 1000, taxable: 2000, tax: 200 }]);
    assert.deepEqual(taxLinesOf(breakdown, 2100)[0].rateBps, 2100, "the restaurant's one rate of then");
  });

  it("take the order's own tax classes when it has them", () => {
    const taxes = [{ taxClass: "food" as const, rateBps: 1000, taxable: 1500, tax: 150 }, { taxClass: "drinks" as const, rateBps: 2100, taxable: 238, tax: 50 }];
    assert.deepEqual(taxLinesOf({ ...breakdown, taxes }, undefined), taxes);
  });

  it("freeze the seller from the restaurant's legal details, or its name and address without them", () => {
    const order = { customerUid: "c", restaurantId: "r", paymentMethod: "cash", breakdown: { ...breakdown, lines: [] }, history: [] };
    const legal = { legalName: "R S.L.", address: { line1: "Calle 1", city: "Madrid", postalCode: "28001", country: "ES" }, taxId: "ESB11111111" };
    assert.deepEqual(documentContent("o", order, { name: "R", address: "Calle 1", legal }, "en", 0).seller, { legalName: "R S.L.", addressLines: ["Calle 1", "28001 Madrid", "ES"], taxId: "ESB11111111" });
    assert.deepEqual(documentContent("o", order, { name: "R", address: "Calle 1" }, "en", 0).seller, { legalName: "R", addressLines: ["Calle 1"], taxId: null });
  });
});

describe("legal details", () => {
  it("take a tax id as written, without spaces, dots or dashes, in capitals", () => {
    assert.equal(LegalParty.parse({ legalName: "Ana S.L.", address: { line1: "Calle 1", city: "Madrid", postalCode: "28001", country: "ES" }, taxId: "esb-1234.5678" }).taxId, "ESB12345678");
  });

  it("refuse a short tax id, a country that is not a code and unknown fields, naming each", () => {
    const parsed = RequestInvoiceRequest.safeParse({ orderId: "o1", buyer: { legalName: "A", address: { line1: "Calle 1", city: "Madrid", postalCode: "28001", country: "Spain" }, taxId: "12", vat: true } });
    assert.ok(!parsed.success);
    const paths = parsed.error.issues.map((issue) => issue.path.join(".")).sort();
    assert.deepEqual(paths, ["buyer", "buyer.address.country", "buyer.legalName", "buyer.taxId"]);
  });
});
