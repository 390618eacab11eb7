/** The receipt's PDF for its email (notifications/deliver.service.ts asks for it). */
import { COLLECTIONS } from "../shared/collections";
import { db } from "../shared/firebase";
import type { EmailAttachment } from "../notifications/email";
import { receiptAttachmentOf } from "./printable";

export async function receiptAttachment(orderId: string): Promise<EmailAttachment> {
  const receipt = await db().collection(COLLECTIONS.receipts).doc(orderId).get();
  // Written in the same transaction as the request that asks for this email: missing means broken.
  if (!receipt.exists) throw new Error(`receipt ${orderId} not found`);
  return receiptAttachmentOf(receipt.data()!);
}
