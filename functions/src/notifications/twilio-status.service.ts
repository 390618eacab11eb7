/**
 * Twilio's delivery reports for our SMS (status callbacks). A report counts only when its
 * `X-Twilio-Signature` matches the auth token and the URL we gave Twilio; anything else is
 * answered 403 and changes nothing. Reports may come twice or out of order: a message only moves
 * forward (queued → sent → delivered, or failed), so a duplicate or a late "sent" is a no-op.
 * A report that the recipient opted out marks the phone (by its keyed hash), like the error at
 * send time does.
 * A message whose send got no answer (`unknown`) has no Twilio id yet: the first signed report
 * for it, which names our message in the callback URL, gives it one and settles it.
 */
import type { Request, Response } from "express";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { traceRequest } from "../shared/http";
import { log } from "../shared/log";
import { twilioAuthToken, twilioStatusCallbackUrl } from "../shared/params";
import { movesForward, statusOfTwilio, type MessageStatus } from "./ledger";
import { markOptedOut } from "./sms-admission";

/** The URL Twilio signed: the configured callback URL with this request's query string. */
function signedUrl(req: Request): string {
  const query = req.originalUrl.indexOf("?");
  return twilioStatusCallbackUrl.value() + (query >= 0 ? req.originalUrl.slice(query) : "");
}

function signatureValid(req: Request): boolean {
  const signature = req.get("x-twilio-signature");
  if (!signature || !twilioStatusCallbackUrl.value()) return false;
  const { validateRequest } = require("twilio") as typeof import("twilio");
  return validateRequest(twilioAuthToken.value(), signature, signedUrl(req), (req.body ?? {}) as Record<string, string>);
}

export async function handleTwilioStatus(req: Request, res: Response): Promise<void> {
  await traceRequest("notifications-twilioStatus", req, res, () => applyTwilioStatus(req, res));
}

async function applyTwilioStatus(req: Request, res: Response): Promise<void> {
  if (req.method !== "POST") {
    res.status(405).set("Allow", "POST").end();
    return;
  }
  if (!signatureValid(req)) {
    log.warn("sms.callback-refused", { reason: "bad-signature" });
    res.status(403).send("Invalid signature");
    return;
  }
  const body = req.body as Record<string, string>;
  const messageId = typeof req.query.message === "string" ? req.query.message : "";
  const reported = statusOfTwilio(body.MessageStatus ?? "");
  if (!messageId || !reported) {
    // Signed by Twilio but not about a message of ours in a status we track: acknowledge and drop.
    res.status(204).end();
    return;
  }
  const { FieldValue } = firestoreValues();
  const ref = db().collection(COLLECTIONS.notifications).doc(messageId);
  const outcome = await db().runTransaction(async (tx) => {
    const current = await tx.get(ref);
    if (!current.exists || !body.MessageSid) return "not-ours";
    const from = current.get("status") as MessageStatus;
    const adopts = from === "unknown" && !current.get("providerId");
    if (!adopts && current.get("providerId") !== body.MessageSid) return "not-ours";
    if (!movesForward(from, reported)) return "stale";
    tx.update(ref, {
      status: reported,
      providerStatus: body.MessageStatus,
      ...(adopts ? { providerId: body.MessageSid } : {}),
      ...(body.ErrorCode ? { providerCode: Number(body.ErrorCode), reason: `twilio-${body.ErrorCode}` } : {}),
      [`reportedAt.${reported}`]: FieldValue.serverTimestamp(),
      updatedAt: FieldValue.serverTimestamp(),
    });
    return "applied";
  });
  if (outcome === "applied" && body.ErrorCode === "21610" && body.To) {
    await markOptedOut(body.To, "twilio-callback-21610");
  }
  log.info("sms.status-reported", { messageId, status: reported, outcome });
  res.status(204).end();
}
