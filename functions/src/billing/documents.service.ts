/**
 * `GET /receipts/{orderId}.pdf` and `GET /invoices/{invoiceId}.pdf`: a receipt or an invoice as
 * PDF, rendered on request from its immutable record (pdf.ts: the same record, the same bytes),
 * for `Authorization: Bearer <Firebase ID token>` of the order's customer, the restaurant's
 * staff or an admin (the readers the Firestore rules allow). Refusals use the project's error
 * body: 401 without a valid token, 404 for no such document, 403 for someone else's.
 */
import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import type { DecodedIdToken } from "firebase-admin/auth";
import type { DocumentData } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { DomainError, notFound, permissionDenied } from "../shared/errors";
import { auth, db } from "../shared/firebase";
import { errorResponder, traceRequest } from "../shared/http";
import { restaurantIdsOf, roleOf } from "../shared/roles";
import { invoiceFileName, invoicePdf, receiptFileName, receiptPdf } from "./printable";

const PATH = /^\/(receipts|invoices)\/([A-Za-z0-9_-]{1,128})\.pdf$/;

async function caller(req: Pick<Request, "get">): Promise<DecodedIdToken> {
  const idToken = /^Bearer\s+(\S+)$/i.exec(req.get("authorization") ?? "")?.[1];
  if (!idToken) throw new DomainError("unauthenticated", "Send your ID token: Authorization: Bearer <token>.", { reason: "credentials-required" });
  return auth()
    .verifyIdToken(idToken)
    .catch(() => {
      throw new DomainError("unauthenticated", "The ID token is not valid. Sign in again.", { reason: "invalid-id-token" });
    });
}

/** The order's customer, the restaurant's staff, admins. */
export function mayRead(claims: DecodedIdToken, record: DocumentData): boolean {
  const role = roleOf(claims);
  if (role === "admin") return true;
  if (role === "staff" && restaurantIdsOf(claims).includes(record.restaurantId as string)) return true;
  return record.customerUid === claims.uid;
}

export async function serveDocument(req: Request, res: Response): Promise<void> {
  await traceRequest("billing-documents", req, res, async () => {
    try {
      const match = PATH.exec(req.path);
      if (req.method !== "GET" || !match) throw notFound("Document", "document-not-found");
      const claims = await caller(req);
      const [, kind, id] = match as unknown as [string, "receipts" | "invoices", string];
      const record = await db().collection(kind === "receipts" ? COLLECTIONS.receipts : COLLECTIONS.invoices).doc(id).get();
      if (!record.exists) throw notFound("Document", "document-not-found");
      if (!mayRead(claims, record.data()!)) throw permissionDenied("Only the order's customer, the restaurant's staff and admins may read this document.", "forbidden");
      const data = record.data()!;
      const pdf = kind === "receipts" ? await receiptPdf(data) : await invoicePdf(data);
      res.set("Content-Type", "application/pdf");
      res.set("Content-Disposition", `inline; filename="${kind === "receipts" ? receiptFileName(id) : invoiceFileName(data.displayNumber as string)}"`);
      // Private to its readers; the bytes never change, so the ETag holds for ever.
      res.set("Cache-Control", "private, max-age=3600");
      res.set("ETag", `"${createHash("sha256").update(pdf).digest("base64url")}"`);
      res.status(200).send(pdf);
    } catch (error) {
      errorResponder()(error, req, res, () => undefined);
    }
  });
}
