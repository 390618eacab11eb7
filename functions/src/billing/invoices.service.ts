/**
 * Invoices on request. The customer of a delivered order asks with their legal details; the
 * invoice is created in one transaction that reads the restaurant's counter
 * (`invoiceCounters/{restaurantId}`), takes the next number and writes both: a number is given
 * only with the invoice it numbers, so the sequence has no gaps, and two requests can never
 * get the same number (the second transaction sees the first's counter or retries).
 *
 * One invoice per order, at `invoices/{orderId}`: a retried request finds it in the same
 * transaction and answers it again, without a second number. An invoice is never changed:
 * asking again with other buyer details is refused (a correction would be a credit note).
 */
import type { DocumentData } from "firebase-admin/firestore";
import { RequestInvoiceRequest, type InvoiceResponse, type LegalParty } from "../contract/billing";
import type { CallableImpl } from "../shared/callable";
import { COLLECTIONS } from "../shared/collections";
import { runTransactionWithin } from "../shared/contended-transaction";
import { DomainError, failedPrecondition, notFound, permissionDenied } from "../shared/errors";
import { db, firestoreValues } from "../shared/firebase";
import { InFlightLimiter, ShedError } from "../shared/load-shedding";
import { log } from "../shared/log";
import { addressLinesOf, documentContent } from "./billing-document";

/**
 * Long enough for a burst of requests at one restaurant to take their numbers one after another,
 * short of the callable's 60 s; past it the caller is told to ask again (`invoice-contended`).
 */
const CONTENTION_BUDGET_MS = 40_000;

/**
 * One invoice transaction per restaurant at a time in this instance, the others waiting their
 * turn: a counter is one hot document, and transactions piled on it only abort each other (lock
 * timeouts, retries). Across instances the transactions still decide; this only keeps an
 * instance from fighting itself.
 */
const turns = new InFlightLimiter(() => ({ maxInFlight: 1, maxQueued: 100, maxWaitMs: CONTENTION_BUDGET_MS }));
const contended = () => new DomainError("unavailable", "Many invoices are being issued at this restaurant; try again in a moment.", { reason: "invoice-contended", retryAfterSeconds: 1 });

export const invoiceSeries = (restaurantId: string) => `F-${restaurantId.slice(0, 12).toUpperCase()}`;
export const displayNumberOf = (restaurantId: string, number: number) => `${invoiceSeries(restaurantId)}-${String(number).padStart(6, "0")}`;
export const invoicePdfPath = (invoiceId: string) => `/invoices/${invoiceId}.pdf`;

/** The buyer as the invoice keeps and prints it. */
export function buyerRecord(buyer: LegalParty) {
  return { legalName: buyer.legalName, address: buyer.address, addressLines: addressLinesOf(buyer.address), taxId: buyer.taxId };
}

const sameBuyer = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function answer(invoiceId: string, invoice: DocumentData, created: boolean): InvoiceResponse {
  return {
    invoiceId,
    number: invoice.number as number,
    displayNumber: invoice.displayNumber as string,
    issuedAt: (invoice.issuedAt as { toDate(): Date }).toDate().toISOString(),
    pdfPath: invoicePdfPath(invoiceId),
    created,
  };
}

export const requestInvoice: CallableImpl<RequestInvoiceRequest, InvoiceResponse> = {
  input: RequestInvoiceRequest,
  async run({ orderId, buyer }, caller) {
    const { Timestamp } = firestoreValues();
    const orderRef = db().collection(COLLECTIONS.orders).doc(orderId);
    const invoiceRef = db().collection(COLLECTIONS.invoices).doc(orderId);
    const wanted = buyerRecord(buyer);
    // Read before the transaction: only the order, its invoice and the counter are held by it, so
    // requests at one restaurant queue on the counter alone. The seller and the language are
    // frozen as they are now; a change racing the request is as if it came a moment later.
    const order = await orderRef.get();
    const restaurantId = order.get("restaurantId") as string | undefined;
    const [restaurant, customer] = await Promise.all([
      restaurantId ? db().collection(COLLECTIONS.restaurants).doc(restaurantId).get() : null,
      caller.uid ? db().collection(COLLECTIONS.users).doc(caller.uid).get() : null,
    ]);
    const locale = customer?.get("locale") === "es" ? "es" : "en";
    const { value } = await turns.run([`invoices:${restaurantId ?? "-"}`], () => runTransactionWithin(
      Date.now() + CONTENTION_BUDGET_MS,
      async (tx) => {
        const [current, existing] = await Promise.all([tx.get(orderRef), tx.get(invoiceRef)]);
        if (!current.exists) throw notFound("Order", "order-not-found", "orderId");
        if (current.get("customerUid") !== caller.uid) throw permissionDenied("Only the order's customer may ask for its invoice.", "not-your-order");
        if (existing.exists) {
          if (!sameBuyer(existing.get("buyer"), wanted)) {
            throw new DomainError("already-exists", "This order already has an invoice, made out to other details.", { reason: "invoice-already-issued", fields: [{ path: "buyer", message: "The order's invoice names other details." }] });
          }
          return answer(invoiceRef.id, existing.data()!, false);
        }
        if (current.get("status") !== "delivered") throw failedPrecondition("An invoice is issued once the order is delivered.", "order-not-delivered");
        const ofRestaurant = current.get("restaurantId") as string;
        // Taken by the attempt that commits, after the previous number's commit: dates follow numbers.
        const issuedAtMs = Date.now();
        const content = documentContent(orderId, current.data()!, (ofRestaurant === restaurantId ? restaurant?.data() : undefined) ?? {}, locale, issuedAtMs);
        if (!content.seller.taxId) throw failedPrecondition("The restaurant has not given the legal details an invoice needs yet.", "seller-details-missing");
        const counterRef = db().collection(COLLECTIONS.invoiceCounters).doc(ofRestaurant);
        const counter = await tx.get(counterRef);
        const number = ((counter.get("last") as number | undefined) ?? 0) + 1;
        const { suppliedAtMs, ...rest } = content;
        const invoice = {
          ...rest,
          invoiceId: invoiceRef.id,
          series: invoiceSeries(ofRestaurant),
          number,
          displayNumber: displayNumberOf(ofRestaurant, number),
          buyer: wanted,
          suppliedAt: Timestamp.fromMillis(suppliedAtMs),
          issuedAt: Timestamp.fromMillis(issuedAtMs),
        };
        tx.create(invoiceRef, invoice);
        tx.set(counterRef, { last: number, updatedAt: Timestamp.fromMillis(issuedAtMs) }, { merge: true });
        return answer(invoiceRef.id, invoice, true);
      },
      contended,
    )).catch((error: unknown) => {
      throw error instanceof ShedError ? contended() : error;
    });
    if (value.created) log.info("billing.invoice-issued", { orderId, number: value.number });
    return value;
  },
};
