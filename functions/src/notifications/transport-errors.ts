/**
 * What a provider call that got no answer means. A connection that never came up (refused, no
 * such host) proves the request never left: safe to send again. Anything else (a timeout, a
 * reset after the request was written) leaves it unknown whether the provider has the message,
 * and resending could deliver it twice.
 */

/**
 * Connection errors that prove the request never reached the provider; ECIRCUITOPEN and
 * EBULKHEADFULL are calls the provider policy refused before making them (provider-policies.ts).
 */
const NEVER_SENT = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "ECIRCUITOPEN", "EBULKHEADFULL"];

/** The socket error code (ECONNREFUSED, ECONNRESET…) of an error, its message or its cause. */
export function transportCode(error: { code?: unknown; message?: unknown; cause?: unknown } | undefined): string | undefined {
  if (!error) return undefined;
  if (typeof error.code === "string" && /^E[A-Z_]+$/.test(error.code)) return error.code;
  const named = /\b(E(?:CONN\w+|NOTFOUND|AI_AGAIN|NETUNREACH|HOSTUNREACH|TIMEDOUT|PIPE))\b/.exec(String(error.message ?? ""));
  if (named) return named[1];
  return error.cause && typeof error.cause === "object" ? transportCode(error.cause as { code?: unknown; message?: unknown }) : undefined;
}

export const provesNotSent = (code: string | undefined) => code !== undefined && NEVER_SENT.includes(code);

/** Why an outcome is unknown, for the ledger: the provider was too slow to answer, or the line went dead. */
export const unknownReason = (code: string | undefined) => (code === "ETIMEDOUT" || code === "ECONNABORTED" ? "provider-timeout" : "connection-lost");
