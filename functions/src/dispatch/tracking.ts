/**
 * Live tracking's rules as pure functions: which location reports are taken, and the ETA shown
 * to the customer. The service (tracking.service.ts) applies them in one transaction per report.
 */

/** How far ahead of the server's clock a device's fix time may be (phones' clocks drift). */
export const CLOCK_SKEW_ALLOWANCE_MS = 30_000;

export type FixTimeProblem = { reason: "location-in-future" | "location-too-old"; message: string };

/** Why a fix taken at `recordedAtMs` cannot be taken now, or null when it can. */
export function fixTimeProblem(recordedAtMs: number, nowMs: number, maxAgeSeconds: number): FixTimeProblem | null {
  if (recordedAtMs > nowMs + CLOCK_SKEW_ALLOWANCE_MS) return { reason: "location-in-future", message: "The location's time is in the future. Check the device's clock." };
  if (recordedAtMs < nowMs - maxAgeSeconds * 1000) return { reason: "location-too-old", message: `The location is older than ${maxAgeSeconds} seconds.` };
  return null;
}

/**
 * Seconds the courier must still wait before another report is taken (0: take it now), given
 * when the last one was received. Reports faster than the minimum interval cost a write each and
 * tell the customer nothing new.
 */
export function reportWaitSeconds(lastReceivedMs: number | null, nowMs: number, minIntervalSeconds: number): number {
  if (lastReceivedMs === null) return 0;
  const waitMs = lastReceivedMs + minIntervalSeconds * 1000 - nowMs;
  return waitMs > 0 ? Math.ceil(waitMs / 1000) : 0;
}

/** Seconds to cover `distanceMeters` at `speedKmh` (straight line: a lower bound the app may round up). */
export function etaSeconds(distanceMeters: number, speedKmh: number): number {
  return Math.round(distanceMeters / ((speedKmh * 1000) / 3600));
}
