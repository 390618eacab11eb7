/**
 * The user's own profile, `users/{uid}`. The app reads it directly (only its own) and changes it
 * through `auth-updateProfile`; role and anything money-related are never writable by the user.
 */
import { z } from "zod";
import { GeoPoint, Id, Locale, PhoneE164, SafeText, TimeZone } from "./primitives";
import { ROLES } from "./roles";

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

/** Every field optional: only the fields sent change. `addresses` replaces the whole list. */
export const UpdateProfileRequest = z.strictObject({
  displayName: SafeText().min(1).max(80).optional(),
  phone: PhoneE164.nullable().optional(),
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
  phone: z.string().nullable(),
  locale: Locale,
  timeZone: z.string(),
  addresses: z.array(Address),
  /** Mirror of the role claim, for display; authorization always reads the token. */
  role: z.enum(ROLES),
});
export type UserProfile = z.infer<typeof UserProfile>;

export const UpdateProfileResponse = UserProfile;
export type UpdateProfileResponse = UserProfile;

/** Deleting the account needs a sign-in within the last 5 minutes (re-authenticate first). */
export const DeleteAccountRequest = z.strictObject({
  confirm: z.literal(true, { error: "Send confirm: true to delete the account." }),
});
export type DeleteAccountRequest = z.infer<typeof DeleteAccountRequest>;

export const DeleteAccountResponse = z.object({ deleted: z.literal(true), ordersAnonymized: z.number().int() });
export type DeleteAccountResponse = z.infer<typeof DeleteAccountResponse>;
