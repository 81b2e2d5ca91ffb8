import { describe, expect, it } from "vitest";

import { CaseTrend, localDay, nextDay, type TrendDay } from "./trend";

const ZONE = "Asia/Shanghai";
const day = (d: string, reported = 0, closed = 0, overdue = 0): TrendDay => ({ day: d, reported, closed, overdue });
// 2026-03-02 in Shanghai runs from 2026-03-01T16:00Z to 2026-03-02T16:00Z.
const loaded = (): CaseTrend => {
  const trend = new CaseTrend();
  trend.load(ZONE, [day("2026-02-28", 5, 4, 1), day("2026-03-01", 6, 5, 2), day("2026-03-02", 3, 1, 2)], "2026-03-02T02:00:00Z");
  return trend;
};

describe("localDay", () => {
  it("counts days in the server's zone, not the browser's", () => {
    expect(localDay(Date.parse("2026-03-01T15:59:59Z"), ZONE)).toBe("2026-03-01");
    expect(localDay(Date.parse("2026-03-01T16:00:00Z"), ZONE)).toBe("2026-03-02");
    expect(nextDay("2026-02-28")).toBe("2026-03-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
  });
});

describe("CaseTrend", () => {
  it("moves today's point with each new or closed case, once each", () => {
    const trend = loaded();
    trend.applyEvent(10, "CASE_CREATED", "REPORTED", "2026-03-02T02:00:01Z");
    trend.applyEvent(11, "CASE_TRANSITIONED", "ACCEPTED", "2026-03-02T02:00:02Z");
    trend.applyEvent(12, "CASE_TRANSITIONED", "CLOSED", "2026-03-02T02:00:03Z");
    trend.applyEvent(12, "CASE_TRANSITIONED", "CLOSED", "2026-03-02T02:00:03Z"); // delivered twice
    expect(trend.days.at(-1)).toEqual(day("2026-03-02", 4, 2, 2));
    expect(trend.days.slice(0, 2)).toEqual([day("2026-02-28", 5, 4, 1), day("2026-03-01", 6, 5, 2)]);
  });

  it("ignores what the count it started from already holds", () => {
    const trend = loaded();
    trend.applyEvent(9, "CASE_CREATED", "REPORTED", "2026-03-02T01:59:59Z");
    expect(trend.days.at(-1)).toEqual(day("2026-03-02", 3, 1, 2));
  });

  it("takes the figures' exact counts, dropping the events they include", () => {
    const trend = loaded();
    trend.applyEvent(10, "CASE_CREATED", "REPORTED", "2026-03-02T02:00:01Z");
    trend.applyEvent(11, "CASE_CREATED", "REPORTED", "2026-03-02T02:00:05Z");
    trend.applyFigures({ reportedToday: 4, closedToday: 1, overdueCases: 3, asOf: "2026-03-02T02:00:02Z" });
    expect(trend.days.at(-1)).toEqual(day("2026-03-02", 5, 1, 3)); // 4 counted, case 11 after them
    // Older figures (replayed, or a slow query) change nothing.
    trend.applyFigures({ reportedToday: 3, closedToday: 1, overdueCases: 2, asOf: "2026-03-02T02:00:00Z" });
    expect(trend.days.at(-1)).toEqual(day("2026-03-02", 5, 1, 3));
  });

  it("rolls the window at local midnight, keeping its length", () => {
    const trend = loaded();
    trend.applyEvent(10, "CASE_CREATED", "REPORTED", "2026-03-02T02:00:01Z");
    expect(trend.roll(Date.parse("2026-03-02T15:59:59Z"))).toBe(false);
    expect(trend.roll(Date.parse("2026-03-02T16:00:01Z"))).toBe(true);
    expect(trend.days).toEqual([day("2026-03-01", 6, 5, 2), day("2026-03-02", 4, 1, 2), day("2026-03-03", 0, 0, 2)]);
    // Yesterday's figures no longer move today's point; today's do.
    trend.applyFigures({ reportedToday: 9, closedToday: 9, overdueCases: 9, asOf: "2026-03-02T15:59:00Z" });
    trend.applyEvent(11, "CASE_CREATED", "REPORTED", "2026-03-02T16:00:02Z");
    expect(trend.days.at(-1)).toEqual(day("2026-03-03", 1, 0, 2));
    trend.applyFigures({ reportedToday: 1, closedToday: 0, overdueCases: 1, asOf: "2026-03-02T16:00:03Z" });
    expect(trend.days.at(-1)).toEqual(day("2026-03-03", 1, 0, 1));
  });

  it("rolls on a new day's first case before the clock does, and over days missed", () => {
    const trend = loaded();
    trend.applyEvent(10, "CASE_CREATED", "REPORTED", "2026-03-04T16:00:02Z"); // 5 March, two days on
    expect(trend.days).toEqual([day("2026-03-03", 0, 0, 2), day("2026-03-04", 0, 0, 2), day("2026-03-05", 1, 0, 2)]);
  });

  it("is empty until loaded, and ignores figures before", () => {
    const trend = new CaseTrend();
    trend.applyFigures({ reportedToday: 1, closedToday: 0, overdueCases: 0, asOf: "2026-03-02T02:00:00Z" });
    trend.applyEvent(1, "CASE_CREATED", "REPORTED", "2026-03-02T02:00:01Z");
    expect(trend.days).toEqual([]);
  });
});
