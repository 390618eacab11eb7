/**
 * The identities a ban keeps out, as `bannedIdentities/{purpose}-{keyed hash}` documents: the
 * banned account's email and phone, so the same person cannot simply sign up again. Only keyed
 * hashes are stored (shared/pseudonym.ts), never the address or number.
 *
 * Functions that call `identityKeys` declare `pseudonymKey` in their `secrets`.
 */
import { keyedHash } from "../shared/pseudonym";

/** Mailbox providers that ignore dots in the local part. */
const DOTLESS_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * One form per mailbox: lower case, no `+tag`, and for Gmail no dots, so `Ann.Lee+2@gmail.com`
 * and `annlee@gmail.com` are the same person for a ban.
 */
export function canonicalEmail(email: string): string {
  const [local, domain] = email.trim().toLowerCase().split(/@(?=[^@]*$)/);
  if (!domain) return email.trim().toLowerCase();
  const untagged = local.split("+")[0];
  const mailbox = DOTLESS_DOMAINS.has(domain) ? untagged.replaceAll(".", "") : untagged;
  return `${mailbox}@${domain === "googlemail.com" ? "gmail.com" : domain}`;
}

/**
 * Document ids of an account's identities. The phone is Auth's, which Auth verified; a profile's
 * phone field is not, and banning it could keep out someone else.
 */
export function identityKeys(user: { email?: string | null; phoneNumber?: string | null }): string[] {
  const keys: string[] = [];
  if (user.email) keys.push(`email-${keyedHash("email", canonicalEmail(user.email))}`);
  if (user.phoneNumber) keys.push(`phone-${keyedHash("phone", user.phoneNumber)}`);
  return keys;
}
