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

/** Line breaks of every kind, and tabs, in text that must stay on one line. */
const LINE_BREAKS_AND_TABS = /\r\n?|[\t\n\v\f\u0085\u2028\u2029]/g;
/** Line breaks other than \n, turned into \n in multi-line text. */
const OTHER_LINE_BREAKS = /\r\n?|[\v\f\u0085\u2028\u2029]/g;
/**
 * Control characters (C0, DEL, C1) and invisible format characters: bidi embeddings,
 * overrides and isolates (U+202A-U+202E, U+2066-U+2069), zero-width spaces and joiners, the
 * BOM, soft hyphens. \n is kept by the multi-line variant.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/gu;

/**
 * What people typed, made safe to show anywhere: without control or invisible format
 * characters (which can reorder or hide what staff read on a board), composed to NFC and
 * trimmed. Single-line text has its line breaks and tabs turned into spaces; multi-line text
 * keeps \n (any other line break becomes \n).
 */
export function cleanText(value: string, multiline = false): string {
  const breaks = multiline ? value.replace(OTHER_LINE_BREAKS, "\n").replace(/\t/g, " ") : value.replace(LINE_BREAKS_AND_TABS, " ");
  return breaks
    .replace(INVISIBLE, (c) => (multiline && c === "\n" ? c : ""))
    .normalize("NFC")
    .trim();
}

/**
 * Every free-text field of the contract: a string cleaned by `cleanText` before any length
 * check runs (chain `.min()` / `.max()` as on any string), so invisible characters cannot pass
 * for content.
 */
export const SafeText = (options: { multiline?: boolean } = {}) => z.string().overwrite((value) => cleanText(value, options.multiline));

/** A Firebase Auth uid: any visible characters, as Auth allows, up to 128. */
export const Uid = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}\p{Cf}\p{Z}]+$/u, "Not a user id.");

export const HttpsUrl = z.url({ protocol: /^https$/, error: "Use an https:// URL." }).max(2048);
