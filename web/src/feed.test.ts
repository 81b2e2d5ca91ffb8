import { describe, expect, it } from "vitest";

import {
  CaseFeed,
  RECONNECT_GRACE_MS,
  backoffMs,
  cellOf,
  countdown,
  isLive,
  movesCoverage,
  type CaseChange,
} from "./feed";

const created = (seq: number, caseId: string, at: string): CaseChange => ({
  seq,
  type: "CASE_CREATED",
  caseId,
  number: `C${seq}`,
  title: "占道经营",
  state: "REPORTED",
  at,
});

describe("CaseFeed", () => {
  it("puts the newest change first and keeps one line per case", () => {
    const feed = new CaseFeed();
    feed.applyEvent(created(1, "a", "2026-01-01T08:00:00Z"));
    feed.applyEvent(created(2, "b", "2026-01-01T08:01:00Z"));
    feed.applyEvent({ seq: 3, type: "CASE_TRANSITIONED", caseId: "a", state: "ACCEPTED", at: "2026-01-01T08:02:00Z" });
    expect(feed.items.map((i) => [i.caseId, i.state, i.number])).toEqual([
      ["a", "ACCEPTED", "C1"],
      ["b", "REPORTED", "C2"],
    ]);
    expect(feed.lastSeq).toBe(3);
  });

  it("ignores events replayed after a reconnect, so nothing is doubled", () => {
    const feed = new CaseFeed();
    expect(feed.applyEvent(created(5, "a", "2026-01-01T08:00:00Z"))).toBe(true);
    expect(feed.applyEvent(created(5, "a", "2026-01-01T08:00:00Z"))).toBe(false);
    expect(feed.applyEvent(created(4, "z", "2026-01-01T07:00:00Z"))).toBe(false);
    expect(feed.items).toHaveLength(1);
  });

  it("lets a newer event win over an older page row of the same case", () => {
    const feed = new CaseFeed();
    feed.applyEvent({ seq: 9, type: "CASE_TRANSITIONED", caseId: "a", state: "DISPATCHED", at: "2026-01-01T09:00:00Z" });
    feed.applyRow({ type: "ROW", caseId: "a", number: "C1", title: "漏水", state: "REPORTED", at: "2026-01-01T08:00:00Z" });
    expect(feed.items[0]?.state).toBe("DISPATCHED");
    feed.applyRow({ type: "ROW", caseId: "b", title: "积水", state: "REPORTED", overdue: true, at: "2026-01-01T07:00:00Z" });
    expect(feed.items.map((i) => [i.caseId, i.overdue])).toEqual([
      ["a", false],
      ["b", true],
    ]);
  });

  it("marks overdue cases until they are closed, and keeps at most its limit", () => {
    const feed = new CaseFeed(2);
    feed.applyEvent(created(1, "a", "2026-01-01T08:00:00Z"));
    feed.applyEvent({ seq: 2, type: "CASE_OVERDUE", caseId: "a", at: "2026-01-01T08:05:00Z" });
    expect(feed.items[0]?.overdue).toBe(true);
    feed.applyEvent({ seq: 3, type: "CASE_TRANSITIONED", caseId: "a", state: "CLOSED", at: "2026-01-01T08:06:00Z" });
    expect(feed.items[0]?.overdue).toBe(false);
    feed.applyEvent(created(4, "b", "2026-01-01T08:07:00Z"));
    feed.applyEvent(created(5, "c", "2026-01-01T08:08:00Z"));
    expect(feed.items.map((i) => i.caseId)).toEqual(["c", "b"]);
  });
});

describe("liveness and reconnects", () => {
  it("is stale after two missed heartbeats, or once the socket stays closed past the grace", () => {
    expect(isLive(null, 1000, 20_000, 15_000)).toBe(true);
    expect(isLive(null, 1000, 40_000, 15_000)).toBe(false);
    expect(isLive(null, null, 0, 15_000)).toBe(false);
    // A token's expiry closes the socket; reconnecting within the grace is no outage.
    expect(isLive(10_000, 9_000, 10_000 + RECONNECT_GRACE_MS - 1, 15_000)).toBe(true);
    expect(isLive(10_000, 9_000, 10_000 + RECONNECT_GRACE_MS, 15_000)).toBe(false);
  });

  it("backs off from half a second to at most ten", () => {
    expect([0, 1, 2, 10].map(backoffMs)).toEqual([500, 1000, 2000, 10_000]);
  });
});

describe("coverage", () => {
  it("reloads for grid changes, not for the units' events on the same stream", () => {
    expect(["GRID_STATION_ADDED", "GRID_NODE_RETIRED", "UNITS_ORDER_PLACED"].map(movesCoverage)).toEqual([
      true,
      true,
      false,
    ]);
  });
});

describe("SLA countdowns and map cells", () => {
  const now = Date.parse("2026-01-01T08:00:00Z");
  it("counts down to the next deadline and past it", () => {
    expect(countdown("2026-01-01T08:09:30Z", now)).toBe("09:30");
    expect(countdown("2026-01-01T07:54:48Z", now)).toBe("-05:12");
    expect(countdown("2026-01-01T10:05:00Z", now)).toBe("2时05分");
    expect(countdown(null, now)).toBe("");
  });

  it("keeps a case's deadline across events and drops it once closed", () => {
    const feed = new CaseFeed();
    feed.applyRow({ type: "ROW", caseId: "a", state: "REPORTED", at: "2026-01-01T07:00:00Z", due: "2026-01-01T07:10:00Z" });
    feed.applyEvent({ seq: 1, type: "CASE_TRANSITIONED", caseId: "a", state: "ACCEPTED", at: "2026-01-01T07:01:00Z" });
    expect(feed.items[0]?.due).toBe("2026-01-01T07:10:00Z");
    expect(feed.setDue("a", "2026-01-01T08:00:00Z")).toBe(true);
    expect(feed.items[0]?.due).toBe("2026-01-01T08:00:00Z");
    feed.applyEvent({ seq: 2, type: "CASE_TRANSITIONED", caseId: "a", state: "CLOSED", at: "2026-01-01T07:30:00Z" });
    expect(feed.items[0]?.due).toBeNull();
    expect(feed.setDue("gone", null)).toBe(false);
  });

  it("puts a case in the map cell above it", () => {
    expect(cellOf("JS01.A1.B03", 3)).toBe("JS01.A1.B03");
    expect(cellOf("JS01.A1.B03", 2)).toBe("JS01.A1");
    expect(cellOf("JS01.A1", 3)).toBeNull();
  });
});
