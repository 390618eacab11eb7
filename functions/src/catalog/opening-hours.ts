/**
 * Whether a restaurant is open at an instant, in the restaurant's own time zone. An interval
 * whose close is earlier than its open runs past midnight, so Friday 20:00-02:00 is still open
 * at 01:30 on Saturday.
 */
import { WEEKDAYS, type OpeningHours, type Weekday } from "../contract/catalog";

const MINUTES_PER_DAY = 24 * 60;

function minutes(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return h * 60 + m;
}

/**
 * One formatter per time zone for the life of the instance: building an Intl.DateTimeFormat is
 * far dearer than using one, and a near-me answer reads the local time of every restaurant in
 * its cell. Time zones are a bounded set (the IANA names), so the map stays small.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Weekday and minute of the day at `instant` in `timeZone`. */
export function localTime(instant: Date, timeZone: string): { day: Weekday; minute: number } {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = get("weekday").toLowerCase().slice(0, 3) as Weekday;
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

export function isOpenAt(hours: OpeningHours, instant: Date): boolean {
  const { day, minute } = localTime(instant, hours.timeZone);
  const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7];
  for (const interval of hours.weekly[day] ?? []) {
    const open = minutes(interval.open);
    const close = minutes(interval.close);
    if (close > open ? minute >= open && minute < close : minute >= open && minute < MINUTES_PER_DAY) return true;
  }
  for (const interval of hours.weekly[yesterday] ?? []) {
    const open = minutes(interval.open);
    const close = minutes(interval.close);
    if (close < open && minute < close) return true;
  }
  return false;
}
