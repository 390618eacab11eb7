import { onRequest } from "firebase-functions/v2/https";
import { twilioAuthToken } from "../shared/params";
import { pseudonymKey } from "../shared/pseudonym";

/** Twilio's SMS status callbacks: signature checked, then the ledger moves forward. */
export const twilioStatus = onRequest({ secrets: [twilioAuthToken, pseudonymKey] }, async (req, res) => {
  await (await import("./twilio-status.service.js")).handleTwilioStatus(req, res);
});
