import { onRequest } from "firebase-functions/v2/https";
import { twilioAuthToken } from "../shared/params";

/** Twilio's SMS status callbacks: signature checked, then the ledger moves forward. */
export const twilioStatus = onRequest({ secrets: [twilioAuthToken] }, async (req, res) => {
  await (await import("./twilio-status.service.js")).handleTwilioStatus(req, res);
});
