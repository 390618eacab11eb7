/**
 * Firebase Auth "user created" trigger. A 1st-gen event (2nd gen has only blocking functions,
 * which require Identity Platform); the work runs in a fresh correlation context like every
 * other event handler.
 */
import type { SecretParam } from "firebase-functions/params";
import { runWith } from "firebase-functions/v1";
import type { UserRecord } from "firebase-functions/v1/auth";
import { newCorrelationId } from "./context";
import { runEvent } from "./event-handler";

export interface UserCreatedImpl {
  handle(user: Pick<UserRecord, "uid" | "email" | "displayName" | "phoneNumber">, event: { eventId: string }): Promise<void>;
}

export function defineUserCreated(spec: { name: string; secrets?: SecretParam[] }, load: () => Promise<UserCreatedImpl>) {
  return runWith({ secrets: spec.secrets ?? [] }).auth.user().onCreate(async (record, context) => {
    await runEvent(spec.name, { correlationId: newCorrelationId() }, { eventId: context.eventId }, async () => {
      const impl = await load();
      await impl.handle(record, { eventId: context.eventId });
    });
  });
}
