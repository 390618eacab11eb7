/**
 * Keyed pseudonyms: the stable stand-in for a person's identifier (uid, phone number) kept where
 * the identifier itself must not stay, e.g. an SMS opt-out after the account is deleted or an
 * anonymized order. HMAC-SHA256 with a secret key, so nobody holding the data but not the key can
 * test a guessed phone number or uid against it; the purpose is part of the input, so a
 * pseudonym made for one use never matches one made for another.
 *
 * Functions that call `keyedHash` declare `pseudonymKey` in their `secrets`.
 */
import { createHmac } from "node:crypto";
import { defineSecret } from "firebase-functions/params";

/** The HMAC key behind every pseudonym. Rotating it breaks the link to existing ones. */
export const pseudonymKey = defineSecret("PSEUDONYM_KEY");

export type PseudonymPurpose = "uid" | "phone" | "email" | "card" | "address" | "device";

/** The keyed pseudonym of `value` for `purpose`: 32 hex characters, the same for the same input. */
export function keyedHash(purpose: PseudonymPurpose, value: string): string {
  const key = pseudonymKey.value();
  if (!key) throw new Error("PSEUDONYM_KEY is not set");
  return createHmac("sha256", key).update(`${purpose}\n${value}`).digest("hex").slice(0, 32);
}
