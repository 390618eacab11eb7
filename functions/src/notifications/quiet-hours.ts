/**
 * Quiet hours in the recipient's time zone: whether a moment falls inside them, and when they
 * end (the moment a deferred message goes out). Windows may span midnight (22:00 to 07:00).
 * Pure.
 */
interface Window {
  start: string;
  end: string;
}

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Minutes since local midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

/** Minutes from `at` until quiet hours end, or 0 when `at` is outside them. */
export function minutesUntilQuietEnds(at: Date, window: Window | null, timeZone: string): number {
  if (!window) return 0;
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === end) return 0;
  const now = localMinutes(at, timeZone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return 0;
  return (end - now + 1440) % 1440;
}

/** When a message held by quiet hours may go out: `at` itself when they are not on. */
export function quietHoursEnd(at: Date, window: Window | null, timeZone: string): Date {
  const minutes = minutesUntilQuietEnds(at, window, timeZone);
  if (minutes === 0) return at;
  // Whole minutes: land at the start of the minute the window ends.
  const startOfMinute = at.getTime() - (at.getTime() % 60_000);
  return new Date(startOfMinute + minutes * 60_000);
}
