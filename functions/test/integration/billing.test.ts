/**
 * Receipts and invoices end to end, through the emulator suite and the SMTP sink: one receipt
 * per delivered order however often its event comes, emailed once with its PDF (unless the
 * customer switched receipt emails off); invoices on request with validated buyer details and
 * numbers without gaps per restaurant, even under parallel requests; both as PDF, the same
 * bytes every time, for the order's customer, the restaurant's staff and admins only.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, it } from "node:test";
import { requestInvoice } from "../../src/billing/invoices.service";
import { CALLABLES } from "../../src/contract/callables";
import type { InvoiceResponse } from "../../src/contract/billing";
import type { DomainError } from "../../src/shared/errors";
import { BUYER, fetchDocument, publishDelivered, SELLER, sellingRestaurant, writtenOrder } from "../support/billing";
import { admin, callError, signInWithRole, signUp, type AppClient } from "../support/emulators";
import { emailAttachment, emailsTo, ledgerEntry, setPreferences } from "../support/notifications";
import { eventually } from "../support/workflow";

const RECEIPT = "receipts.v1.issued";

describe("receipts and invoices", () => {
  const clients: AppClient[] = [];
  const track = <T extends AppClient>(client: T) => (clients.push(client), client);
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });

  /** A restaurant with legal details, its customer, and a delivered order whose receipt exists. */
  async function deliveredWithReceipt() {
    const restaurantId = await sellingRestaurant();
    const customer = track(await signUp());
    const orderId = await writtenOrder(restaurantId, customer.user.uid);
    await publishDelivered(orderId, restaurantId, customer.user.uid);
    const receipt = await eventually(`receipt of ${orderId}`, async () => (await admin().db.doc(`receipts/${orderId}`).get()).data());
    return { restaurantId, customer, orderId, receipt };
  }

  it("issues one receipt per delivered order, however often the event comes, and emails it once with its PDF", async () => {
    const { restaurantId, customer, orderId, receipt } = await deliveredWithReceipt();
    await publishDelivered(orderId, restaurantId, customer.user.uid);
    await publishDelivered(orderId, restaurantId, customer.user.uid);

    assert.equal(receipt.number, `R-${orderId}`);
    assert.deepEqual(receipt.seller, { legalName: SELLER.legalName, addressLines: ["Calle Mayor 1", "28013 Madrid", "ES"], taxId: "ESB12345678" });
    assert.deepEqual(receipt.taxes, [{ taxClass: "food", rateBps: 1000, taxable: 2000, tax: 200 }, { taxClass: "drinks", rateBps: 2100, taxable: 500, tax: 105 }], "the order's tax per class");
    assert.equal(receipt.taxes.reduce((sum: number, t: { tax: number }) => sum + t.tax, 0), receipt.tax);
    assert.deepEqual([receipt.subtotal, receipt.deliveryFee, receipt.tip, receipt.tax, receipt.total], [2500, 199, 100, 305, 3104]);
    assert.equal(receipt.suppliedAt.toDate().toISOString(), "2026-11-30T12:00:00.000Z", "the supply date is the delivery");
    assert.deepEqual(receipt.lines[1], { description: "Sangría, Jarra", quantity: 1, unitPrice: 500, lineTotal: 500, taxClass: "drinks" });

    const entry = await ledgerEntry(customer.user.uid, RECEIPT, "email");
    assert.equal(entry.status, "sent");
    assert.deepEqual(entry.attachments, [`receipt-${orderId}.pdf`]);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const emails = await emailsTo(customer.user.email!);
    assert.equal(emails.length, 1, "one receipt email however often the event came");
    const [email] = emails;
    assert.match(email.subject, /^Your receipt for order #/);
    assert.deepEqual(email.attachments.map((a) => [a.filename, a.contentType, a.head.slice(0, 5)]), [[`receipt-${orderId}.pdf`, "application/pdf", "%PDF-"]]);
    const push = await ledgerEntry(customer.user.uid, RECEIPT, "push");
    assert.deepEqual([push.status, push.reason], ["skipped", "preference"], "receipts go by email unless the customer asks otherwise");

    const served = await fetchDocument(`/receipts/${orderId}.pdf`, await customer.user.getIdToken());
    assert.equal(served.status, 200);
    assert.deepEqual(Buffer.from(await served.arrayBuffer()), await emailAttachment(email), "the PDF served is the PDF emailed: one record, one rendering");
  });

  it("keeps the receipt but sends no email to a customer who switched receipt emails off", async () => {
    const restaurantId = await sellingRestaurant();
    const customer = track(await signUp());
    await setPreferences(customer, { channels: { receipts: { email: false } } });
    const orderId = await writtenOrder(restaurantId, customer.user.uid);
    await publishDelivered(orderId, restaurantId, customer.user.uid);

    await eventually("the receipt", async () => (await admin().db.doc(`receipts/${orderId}`).get()).exists);
    const entry = await ledgerEntry(customer.user.uid, RECEIPT, "email");
    assert.deepEqual([entry.status, entry.reason], ["skipped", "preference"]);
    assert.equal((await emailsTo(customer.user.email!)).length, 0);
  });

  it("serves a receipt's PDF to its customer, the restaurant's staff and admins, and refuses everyone else", async () => {
    const { restaurantId, customer, orderId } = await deliveredWithReceipt();
    const [staff, otherStaff, otherCustomer, operator] = await Promise.all([signInWithRole("staff", [restaurantId]), signInWithRole("staff", ["elsewhere"]), signUp(), signInWithRole("admin")]);
    [staff, otherStaff, otherCustomer, operator].forEach(track);
    const path = `/receipts/${orderId}.pdf`;

    const noToken = await fetchDocument(path, null);
    assert.equal(noToken.status, 401);
    assert.equal(((await noToken.json()) as { error: { details: { reason: string } } }).error.details.reason, "credentials-required");
    assert.equal((await fetchDocument(path, "not-a-token")).status, 401);
    const missing = await fetchDocument(`/receipts/no-such-order.pdf`, await customer.user.getIdToken());
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { details: { reason: string } } }).error.details.reason, "document-not-found");
    for (const stranger of [otherCustomer, otherStaff]) {
      const refused = await fetchDocument(path, await stranger.user.getIdToken());
      assert.equal(refused.status, 403);
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "permission-denied");
    }
    const bodies: Buffer[] = [];
    for (const reader of [customer, staff, operator]) {
      const response = await fetchDocument(path, await reader.user.getIdToken());
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/pdf");
      const body = Buffer.from(await response.arrayBuffer());
      assert.equal(body.subarray(0, 5).toString("latin1"), "%PDF-");
      bodies.push(body);
    }
    assert.ok(bodies.every((body) => body.equals(bodies[0])), "the same record gives the same bytes");
  });

  it("invoices a delivered order once: a retried request answers the same invoice and number, other details are refused", async () => {
    const { restaurantId, customer, orderId } = await deliveredWithReceipt();
    const first = await customer.call<InvoiceResponse>(CALLABLES.requestInvoice, { orderId, buyer: BUYER });
    assert.deepEqual([first.invoiceId, first.number, first.created, first.pdfPath], [orderId, 1, true, `/invoices/${orderId}.pdf`]);
    const again = await customer.call<InvoiceResponse>(CALLABLES.requestInvoice, { orderId, buyer: BUYER });
    assert.deepEqual([again.invoiceId, again.number, again.displayNumber, again.issuedAt, again.created], [first.invoiceId, 1, first.displayNumber, first.issuedAt, false]);
    const counter = await admin().db.doc(`invoiceCounters/${restaurantId}`).get();
    assert.equal(counter.get("last"), 1, "the retry took no second number");

    const other = await callError(customer.call(CALLABLES.requestInvoice, { orderId, buyer: { ...BUYER, legalName: "Otra Empresa S.L." } }));
    assert.deepEqual([other.code, other.details.reason], ["functions/already-exists", "invoice-already-issued"]);

    const invoice = (await admin().db.doc(`invoices/${orderId}`).get()).data()!;
    assert.deepEqual(invoice.buyer.addressLines, ["Gran Vía 2", "Planta 3", "28013 Madrid", "ES"]);
    assert.equal(invoice.seller.taxId, "ESB12345678");
    assert.deepEqual([invoice.total, invoice.tax, invoice.taxes.length], [3104, 305, 2]);
    const pdf = await fetchDocument(first.pdfPath, await customer.user.getIdToken());
    assert.equal(pdf.status, 200);
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString("latin1"), "%PDF-");
    const stranger = track(await signUp());
    assert.equal((await fetchDocument(first.pdfPath, await stranger.user.getIdToken())).status, 403);
  });

  it("refuses bad buyer details with the failing fields, an order not delivered, someone else's order, and a seller without legal details, numbering nothing", async () => {
    const restaurantId = await sellingRestaurant();
    const customer = track(await signUp());
    const orderId = await writtenOrder(restaurantId, customer.user.uid);

    const invalid = await callError(customer.call(CALLABLES.requestInvoice, { orderId, buyer: { ...BUYER, taxId: "12", address: { ...BUYER.address, country: "Spain" } } }));
    assert.deepEqual([invalid.code, invalid.details.reason], ["functions/invalid-argument", "invalid-request"]);
    assert.deepEqual((invalid.details.fields as { path: string }[]).map((f) => f.path).sort(), ["buyer.address.country", "buyer.taxId"]);

    const placed = await writtenOrder(restaurantId, customer.user.uid, "placed");
    const early = await callError(customer.call(CALLABLES.requestInvoice, { orderId: placed, buyer: BUYER }));
    assert.deepEqual([early.code, early.details.reason], ["functions/failed-precondition", "order-not-delivered"]);

    const stranger = track(await signUp());
    const notTheirs = await callError(stranger.call(CALLABLES.requestInvoice, { orderId, buyer: BUYER }));
    assert.deepEqual([notTheirs.code, notTheirs.details.reason], ["functions/permission-denied", "not-your-order"]);

    const anonymousSeller = await sellingRestaurant(null);
    const unsellable = await writtenOrder(anonymousSeller, customer.user.uid);
    const noSeller = await callError(customer.call(CALLABLES.requestInvoice, { orderId: unsellable, buyer: BUYER }));
    assert.deepEqual([noSeller.code, noSeller.details.reason], ["functions/failed-precondition", "seller-details-missing"]);

    for (const id of [restaurantId, anonymousSeller]) assert.equal((await admin().db.doc(`invoiceCounters/${id}`).get()).exists, false, "no number was taken");
    assert.equal((await admin().db.doc(`invoices/${orderId}`).get()).exists, false);
  });

  it("gives N parallel requests for different orders of one restaurant the numbers 1..N exactly", async () => {
    const N = 10;
    const restaurantId = await sellingRestaurant();
    const customers = Array.from({ length: N }, () => `bill-customer-${randomUUID()}`);
    const orders = await Promise.all(customers.map((uid) => writtenOrder(restaurantId, uid)));
    // In process, beside the Functions emulator: N callables at once would start N function workers
    // on two cores. Like the app, a request told `invoice-contended` (nothing numbered) asks again.
    const ask = async (orderId: string, uid: string): Promise<InvoiceResponse> => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await requestInvoice.run({ orderId, buyer: BUYER }, { uid, role: "customer", claims: {}, correlationId: randomUUID() });
        } catch (error) {
          if ((error as DomainError).extra?.reason !== "invoice-contended" || attempt === 3) throw error;
        }
      }
    };
    const answers = await Promise.all(orders.map((orderId, i) => ask(orderId, customers[i])));
    assert.deepEqual(answers.map((a) => a.number).sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i + 1));
    assert.equal(new Set(answers.map((a) => a.displayNumber)).size, N);
    assert.equal((await admin().db.doc(`invoiceCounters/${restaurantId}`).get()).get("last"), N);
    const issued = await Promise.all(orders.map(async (orderId) => (await admin().db.doc(`invoices/${orderId}`).get()).data()!));
    const byNumber = issued.sort((a, b) => a.number - b.number).map((invoice) => invoice.issuedAt.toMillis() as number);
    assert.deepEqual(byNumber, [...byNumber].sort((a, b) => a - b), "issue dates follow the numbers");
    // Retried together, they take nothing more.
    const retried = await Promise.all(orders.map((orderId, i) => ask(orderId, customers[i])));
    assert.deepEqual(retried.map((a) => [a.number, a.created]), answers.map((a) => [a.number, false]));
    assert.equal((await admin().db.doc(`invoiceCounters/${restaurantId}`).get()).get("last"), N);

    // Through the callable, each request in a function worker of its own: the transactions alone
    // keep the sequence, with no shared turn-taking between them.
    const buyers = await Promise.all([signUp(), signUp(), signUp()]);
    buyers.forEach(track);
    const more = await Promise.all(buyers.map((buyer) => writtenOrder(restaurantId, buyer.user.uid)));
    const viaCallable = await Promise.all(
      more.map(async (orderId, i) => {
        for (let attempt = 1; ; attempt += 1) {
          try {
            return await buyers[i].call<InvoiceResponse>(CALLABLES.requestInvoice, { orderId, buyer: BUYER });
          } catch (error) {
            if ((error as { details?: { reason?: string } }).details?.reason !== "invoice-contended" || attempt === 3) throw error;
          }
        }
      }),
    );
    assert.deepEqual(viaCallable.map((a) => a.number).sort((a, b) => a - b), [N + 1, N + 2, N + 3]);
  });
});
