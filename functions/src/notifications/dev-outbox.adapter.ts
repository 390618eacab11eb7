/**
 * The local stack's stand-in for FCM and Twilio: every push and SMS lands in the Firestore
 * collection `devOutbox`, where a developer watches messages arrive (Emulator UI or a listener).
 * Chosen only inside the emulator, when `npm start` sets NOTIFICATIONS_DEV_OUTBOX.
 */
import { randomUUID } from "node:crypto";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { localSetting } from "../shared/local-stack";
import { traceCall } from "../shared/tracing";
import type { PushMessage, PushOutcome, PushTransport } from "./push";
import type { SmsMessage, SmsReceipt, SmsSender } from "./sms";

export const devOutboxEnabled = () => localSetting("NOTIFICATIONS_DEV_OUTBOX") === "true";

export const devOutboxPush: PushTransport = {
  // A span of its own, as the provider call it stands for (`fcm.send`) would have.
  sendEach: (messages: PushMessage[]) => traceCall("devOutbox.push", () => writePush(messages)),
};

async function writePush(messages: PushMessage[]): Promise<PushOutcome[]> {
  const { FieldValue } = firestoreValues();
  const batch = db().batch();
  const outcomes = messages.map((message) => {
    const id = `push-${randomUUID()}`;
    batch.create(db().collection(COLLECTIONS.devOutbox).doc(id), { channel: "push", ...message, at: FieldValue.serverTimestamp() });
    return { ok: true as const, messageId: id };
  });
  await batch.commit();
  return outcomes;
}

export const devOutboxSms: SmsSender = {
  send: (message: SmsMessage) =>
    traceCall("devOutbox.sms", async (): Promise<SmsReceipt> => {
      const { FieldValue } = firestoreValues();
      const id = `sms-${randomUUID()}`;
      await db().collection(COLLECTIONS.devOutbox).doc(id).create({ channel: "sms", to: message.to, body: message.body, at: FieldValue.serverTimestamp() });
      return { providerId: id, status: "delivered" };
    }),
};
