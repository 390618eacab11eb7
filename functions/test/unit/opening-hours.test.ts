import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import type { OpeningHours } from "../../src/contract/catalog";
import { isOpenAt, localTime } from "../../src/catalog/opening-hours";

const madrid = (weekly: OpeningHours["weekly"]): OpeningHours => ({ timeZone: "Europe/Madrid", weekly });
// 2026-11-23 is a Monday; Madrid is UTC+1 in November.
const at = (isoUtc: string) => new Date(isoUtc);

describe("opening hours", () => {
  it("reads the weekday and minute in the restaurant's time zone, not the server's", () => {
    assert.deepEqual(localTime(at("2026-11-23T23:30:00Z"), "Europe/Madrid"), { day: "tue", minute: 30 });
    assert.deepEqual(localTime(at("2026-11-23T23:30:00Z"), "America/New_York"), { day: "mon", minute: 18 * 60 + 30 });
  });

  it("builds one formatter per time zone, not one per restaurant and request", () => {
    // A near-me answer checks every restaurant of its cell: a new Intl.DateTimeFormat each time
    // was most of a cached answer's CPU.
    const built = mock.method(Intl, "DateTimeFormat");
    try {
      for (let i = 0; i < 100; i += 1) localTime(at(`2026-11-23T${String(i % 24).padStart(2, "0")}:15:00Z`), "Asia/Kolkata");
      assert.ok(built.mock.callCount() <= 1, `Intl.DateTimeFormat built ${built.mock.callCount()} times for 100 readings in one zone`);
      assert.deepEqual(localTime(at("2026-11-23T23:30:00Z"), "Asia/Kolkata"), { day: "tue", minute: 5 * 60 });
    } finally {
      built.mock.restore();
    }
  });

  it("is open inside an interval and closed at its closing minute", () => {
    const hours = madrid({ mon: [{ open: "12:00", close: "16:00" }] });
    assert.equal(isOpenAt(hours, at("2026-11-23T11:00:00Z")), true); // 12:00 local
    assert.equal(isOpenAt(hours, at("2026-11-23T14:59:00Z")), true); // 15:59
    assert.equal(isOpenAt(hours, at("2026-11-23T15:00:00Z")), false); // 16:00
    assert.equal(isOpenAt(hours, at("2026-11-23T10:59:00Z")), false); // 11:59
  });

  it("keeps an interval that runs past midnight open into the next day", () => {
    const hours = madrid({ mon: [{ open: "20:00", close: "02:00" }] });
    assert.equal(isOpenAt(hours, at("2026-11-23T22:30:00Z")), true); // Mon 23:30
    assert.equal(isOpenAt(hours, at("2026-11-24T00:30:00Z")), true); // Tue 01:30, Monday's interval
    assert.equal(isOpenAt(hours, at("2026-11-24T01:00:00Z")), false); // Tue 02:00
    assert.equal(isOpenAt(hours, at("2026-11-24T19:30:00Z")), false); // Tue 20:30: no Tuesday hours
  });

  it("treats 24:00 as the end of the day and a missing day as closed", () => {
    const hours = madrid({ mon: [{ open: "00:00", close: "24:00" }] });
    assert.equal(isOpenAt(hours, at("2026-11-23T22:59:00Z")), true); // Mon 23:59
    assert.equal(isOpenAt(hours, at("2026-11-23T23:00:00Z")), false); // Tue 00:00
  });
});
