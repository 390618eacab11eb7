/**
 * Whether an SMS may go out, decided in the ledger claim's transaction so that concurrent sends
 * cannot all slip under a limit. Paid messages are what abuse goes after (SMS pumping: many
 * accounts, each texting premium or far-away numbers), so an SMS needs all of:
 *
 * - a number Firebase Auth verified (checked before the claim: `phone-unverified`), in a country
 *   we text (`SMS_ALLOWED_PREFIXES`: `country-not-allowed`);
 * - a number that did not answer STOP (`opted-out`);
 * - room under the recipient's hourly cap (`SMS_PER_USER_PER_HOUR`: `hourly-cap`), the number's
 *   hourly cap across every account (`SMS_PER_NUMBER_PER_HOUR`: `number-hourly-cap`) and the
 *   system's hourly budget (`SMS_BUDGET_PER_HOUR`: `sms-budget-exhausted`).
 *
 * Numbers are stored only as keyed hashes (`keyedHash("phone", number)`): the opt-out list and the
 * per-number counters hold no phone number. The budget is counted over shard documents of the
 * hour (a single counter would be one hot document); a transaction reads one shard and reads the
 * others only when that one is full.
 */
import type { Transaction } from "firebase-admin/firestore";
import { COLLECTIONS } from "../shared/collections";
import { db, firestoreValues } from "../shared/firebase";
import { log } from "../shared/log";
import { OPS_EVENTS } from "../shared/ops-events";
import { smsAllowedPrefixes, smsBudgetPerHour, smsPerNumberPerHour, smsPerUserPerHour } from "../shared/params";
import { keyedHash } from "../shared/pseudonym";

export const SMS_BUDGET_SHARDS = 10;
const HOUR_MS = 3_600_000;

/** `yyyymmddhh` of `at`, in UTC: the hour a counter belongs to. */
export const hourKey = (at: Date) => at.toISOString().slice(0, 13).replace(/\D/g, "");

/** Keeps the country code and last four digits, enough for support to recognise a number. */
export const maskPhone = (phone: string) => `${phone.slice(0, 3)}•••${phone.slice(-4)}`;

/** The prefixes of `SMS_ALLOWED_PREFIXES`, e.g. "+34,+44" → ["+34", "+44"]. */
export function allowedPrefixes(list = smsAllowedPrefixes.value()): string[] {
  return list
    .split(",")
    .map((prefix) => prefix.trim())
    .filter((prefix) => /^\+\d{1,4}$/.test(prefix));
}

/** Whether `phone` (E.164) starts with one of the allowed country prefixes. */
export function phoneAllowed(phone: string, prefixes = allowedPrefixes()): boolean {
  return /^\+\d{8,15}$/.test(phone) && prefixes.some((prefix) => phone.startsWith(prefix));
}

export const phoneKey = (phone: string) => keyedHash("phone", phone);

export const optOutRef = (phone: string) => db().collection(COLLECTIONS.smsOptOuts).doc(phoneKey(phone));
const userUsageRef = (uid: string, at: Date) => db().collection(COLLECTIONS.smsUsage).doc(`${uid}_${hourKey(at)}`);
const numberUsageRef = (phone: string, at: Date) => db().collection(COLLECTIONS.smsNumberUsage).doc(`${phoneKey(phone)}_${hourKey(at)}`);
export const budgetRef = (at: Date) => db().collection(COLLECTIONS.smsBudget).doc(hourKey(at));
export const budgetShardRef = (at: Date, shard: number) => budgetRef(at).collection("budgetShards").doc(String(shard));

/** Marks `phone` as never to be texted again (Twilio said the person answered STOP). */
export async function markOptedOut(phone: string, source: string): Promise<void> {
  await optOutRef(phone).set({ source, at: firestoreValues().FieldValue.serverTimestamp() });
}

/** Why a recipient's number cannot be texted at all, before anything is claimed; null when it can. */
export function numberRefusal(phone: string | null, verified: boolean): "no-phone" | "phone-unverified" | "country-not-allowed" | null {
  if (!phone) return "no-phone";
  if (!verified) return "phone-unverified";
  if (!phoneAllowed(phone)) return "country-not-allowed";
  return null;
}

const count = (snapshot: { get(field: string): unknown }) => (snapshot.get("count") as number | undefined) ?? 0;

/**
 * The limits for one SMS to `phone` for `uid` at `at`: `guard` runs in the claim's transaction
 * (reads, then counts the message everywhere, or answers why not); `giveBack` uncounts a message
 * that was not sent after all.
 */
export function smsAdmission(uid: string, phone: string, at: Date) {
  let shardTaken: number | null = null;
  const budget = smsBudgetPerHour.value();
  const shareOfShard = Math.ceil(budget / SMS_BUDGET_SHARDS);
  const { FieldValue, Timestamp } = firestoreValues();
  const expireAt = Timestamp.fromMillis(at.getTime() + 2 * HOUR_MS);

  async function freeShard(tx: Transaction): Promise<number | null> {
    const first = Math.floor(Math.random() * SMS_BUDGET_SHARDS);
    if (count(await tx.get(budgetShardRef(at, first))) < shareOfShard) return first;
    const shards = await tx.getAll(...Array.from({ length: SMS_BUDGET_SHARDS }, (_, shard) => budgetShardRef(at, shard)));
    const free = shards.findIndex((shard) => count(shard) < shareOfShard);
    return free >= 0 ? free : null;
  }

  return {
    async guard(tx: Transaction): Promise<string | null> {
      const [optOut, userUsage, numberUsage] = await tx.getAll(optOutRef(phone), userUsageRef(uid, at), numberUsageRef(phone, at));
      if (optOut.exists) return "opted-out";
      if (count(userUsage) >= smsPerUserPerHour.value()) return "hourly-cap";
      if (count(numberUsage) >= smsPerNumberPerHour.value()) return "number-hourly-cap";
      const shard = await freeShard(tx);
      if (shard === null) {
        // Seen by operators: `smsBudget` where exhausted == true lists the hours that ran out.
        tx.set(budgetRef(at), { hour: hourKey(at), budget, exhausted: true, refused: FieldValue.increment(1), lastRefusedAt: FieldValue.serverTimestamp() }, { merge: true });
        return "sms-budget-exhausted";
      }
      shardTaken = shard;
      tx.set(userUsageRef(uid, at), { uid, count: FieldValue.increment(1), expireAt }, { merge: true });
      tx.set(numberUsageRef(phone, at), { count: FieldValue.increment(1), expireAt }, { merge: true });
      tx.set(budgetShardRef(at, shard), { count: FieldValue.increment(1), expireAt }, { merge: true });
      return null;
    },

    async giveBack(): Promise<void> {
      const batch = db().batch();
      batch.set(userUsageRef(uid, at), { count: FieldValue.increment(-1) }, { merge: true });
      batch.set(numberUsageRef(phone, at), { count: FieldValue.increment(-1) }, { merge: true });
      if (shardTaken !== null) batch.set(budgetShardRef(at, shardTaken), { count: FieldValue.increment(-1) }, { merge: true });
      await batch.commit();
    },
  };
}

/** Logs a refusal with the masked number only; a spent budget is an operator event. */
export function logSmsRefusal(reason: string, fields: { source: string; uid: string; phone: string | null; at: Date }): void {
  const details = { source: fields.source, uid: fields.uid, reason, to: fields.phone ? maskPhone(fields.phone) : null };
  if (reason === "sms-budget-exhausted") {
    log.warn(OPS_EVENTS.smsBudgetExhausted.name, { ...details, hour: hourKey(fields.at), budget: smsBudgetPerHour.value() });
    return;
  }
  log.info("sms.skipped", details);
}
