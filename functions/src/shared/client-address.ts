/**
 * The address a request came from, as a budget key for the limits of public endpoints and of
 * signed-out callers. Google's front end puts the address it saw at the end of X-Forwarded-For;
 * anything before it was written by the client (or by proxies the client chose) and is not to
 * be trusted, so the address is read from the end, skipping the proxies the deployment itself
 * puts in front (TRUSTED_PROXY_HOPS, e.g. 1 behind an external Application Load Balancer).
 */
import { trustedProxyHops } from "./params";

interface Incoming {
  headers: Record<string, string | string[] | undefined>;
  socket?: { remoteAddress?: string };
}

export function clientAddress(req: Incoming, hops: number = trustedProxyHops.value()): string {
  const header = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const index = chain.length - 1 - Math.max(0, hops);
  return chain[Math.max(0, index)] ?? req.socket?.remoteAddress ?? "unknown";
}
