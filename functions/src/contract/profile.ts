/**
 * The user's own profile, `users/{uid}`. The app reads it directly (only its own) and changes it
 * through `auth-updateProfile`; role and anything money-related are never writable by the user.
 */
import { z } from "zod";
import { GeoPoint, Id, Locale, SafeText, TimeZone } from "./primitives.js";
import { ROLES } from "./roles.js";

export const Address = z.strictObject({
  /** Chosen by the app (e.g. a UUID); unique within the profile. */
  id: Id,
  label: SafeText().min(1).max(40),
  line1: SafeText().min(1).max(120),
  line2: SafeText().max(120).optional(),
  city: SafeText().min(1).max(80),
  postalCode: SafeText().min(1).max(16),
  country: z.string().regex(/^[A-Z]{2}$/, "Use a two-letter ISO 3166 code, e.g. ES."),
  location: GeoPoint,
  /** For the courier; may span lines. */
  instructions: SafeText({ multiline: true }).max(300).optional(),
});
export type Address = z.infer<typeof Address>;

/** Why `phone` is refused in `auth-updateProfile`: the number comes from Firebase Auth only. */
export const PHONE_VERIFICATION_REQUIRED = "phone-verification-required";

/**
 * Every field optional: only the fields sent change. `addresses` replaces the whole list.
 * The phone number is not among them: the app verifies it with Firebase Auth (link a phone
 * credential), then calls `auth-syncPhone`; sending `phone` here answers `invalid-argument`
 * with reason `phone-verification-required`.
 */
export const UpdateProfileRequest = z.strictObject({
  displayName: SafeText().min(1).max(80).optional(),
  phone: z
    .custom<never>(() => false, {
      message: "The phone number cannot be set here: verify it with Firebase Auth (link a phone credential), then call auth-syncPhone.",
      params: { reason: PHONE_VERIFICATION_REQUIRED },
    })
    .optional(),
  locale: Locale.optional(),
  timeZone: TimeZone.optional(),
  addresses: z
    .array(Address)
    .max(10)
    .superRefine((addresses, ctx) => {
      const seen = new Set<string>();
      addresses.forEach((address, index) => {
        if (seen.has(address.id)) ctx.addIssue({ code: "custom", path: [index, "id"], message: "Address ids must be unique." });
        seen.add(address.id);
      });
    })
    .optional(),
});
export type UpdateProfileRequest = z.infer<typeof UpdateProfileRequest>;

export const UserProfile = z.object({
  uid: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  /** The number Firebase Auth verified for the account (E.164), mirrored; null when none. */
  phone: z.string().nullable(),
  /** True only for a number mirrored from Firebase Auth; SMS go to verified numbers only. */
  phoneVerified: z.boolean().optional(),
  locale: Locale,
  timeZone: z.string(),
  addresses: z.array(Address),
  /** Mirror of the role claim, for display; authorization always reads the token. */
  role: z.enum(ROLES),
});
export type UserProfile = z.infer<typeof UserProfile>;

export const UpdateProfileResponse = UserProfile;
export type UpdateProfileResponse = UserProfile;

/** Mirrors the caller's Firebase Auth phone number into the profile, after linking or unlinking it. */
export const SyncPhoneRequest = z.strictObject({});
export type SyncPhoneRequest = z.infer<typeof SyncPhoneRequest>;

export const SyncPhoneResponse = z.object({ phone: z.string().nullable(), phoneVerified: z.boolean() });
export type SyncPhoneResponse = z.infer<typeof SyncPhoneResponse>;

/** Deleting the account needs a sign-in within the last 5 minutes (re-authenticate first). */
export const DeleteAccountRequest = z.strictObject({
  confirm: z.literal(true, { error: "Send confirm: true to delete the account." }),
});
export type DeleteAccountRequest = z.infer<typeof DeleteAccountRequest>;

export const DeleteAccountResponse = z.object({ deleted: z.literal(true), ordersAnonymized: z.number().int() });
export type DeleteAccountResponse = z.infer<typeof DeleteAccountResponse>;
