/** Value schemas shared by several parts of the contract. */
import { z } from "zod";

/** Document ids we accept from clients: no slashes, no dots-only, bounded. */
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, "Use letters, digits, '-' and '_' only.");

/** Money in minor units (cents) of a three-letter ISO 4217 currency. */
export const MinorUnits = z
  .number({ error: "Must be a whole number of minor units (e.g. cents)." })
  .int("Must be a whole number of minor units (e.g. cents).")
  .min(0, "Must not be negative.")
  .max(100_000_000, "Is beyond any plausible price.");
export const Currency = z.string().regex(/^[A-Z]{3}$/, "Use a three-letter ISO 4217 code, e.g. EUR.");
export const Money = z.strictObject({ amount: MinorUnits, currency: Currency });
export type Money = z.infer<typeof Money>;

export const GeoPoint = z.strictObject({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});
export type GeoPoint = z.infer<typeof GeoPoint>;

/** A phone number in E.164 form: +, country code, subscriber number; 8 to 15 digits. */
export const PhoneE164 = z.string().regex(/^\+[1-9]\d{7,14}$/, "Use E.164 form, e.g. +34600123456.");

/** An IANA time zone the runtime knows, e.g. Europe/Madrid. */
export const TimeZone = z.string().refine((zone) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}, "Use an IANA time zone, e.g. Europe/Madrid.");

export const LOCALES = ["en", "es"] as const;
export const Locale = z.enum(LOCALES);

export const HttpsUrl = z.url({ protocol: /^https$/, error: "Use an https:// URL." }).max(2048);
