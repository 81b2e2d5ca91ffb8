import { describe, expect, it } from "vitest";

import { cellAt, contains, countdown, reaches } from "./rules";

const square = (x: number, y: number, size: number) => ({
  type: "Polygon",
  coordinates: [
    [
      [x, y],
      [x + size, y],
      [x + size, y + size],
      [x, y + size],
      [x, y],
    ],
  ],
});

describe("countdown", () => {
  const now = Date.parse("2026-12-08T00:00:00Z");
  it("counts down to a deadline and up past it", () => {
    expect(countdown("2026-12-08T01:05:00Z", now)).toEqual({ text: "剩 1小时05分", late: false });
    expect(countdown("2026-12-07T23:57:00Z", now)).toEqual({ text: "超时 3分", late: true });
    expect(countdown("2026-12-08T00:00:42Z", now)).toEqual({ text: "剩 42秒", late: false });
    expect(countdown("2026-12-10T03:00:00Z", now)).toEqual({ text: "剩 2天3小时", late: false });
  });
});

describe("contains and cellAt", () => {
  it("finds the deepest cell holding a point, not one outside or in a hole", () => {
    const area = { path: "A1", level: 2, boundary: square(118, 31, 1) };
    const building = { path: "A1.B03", level: 3, boundary: square(118.2, 31.2, 0.1) };
    const other = { path: "A2", level: 2, boundary: square(120, 31, 1) };
    expect(cellAt([area, building, other], 118.25, 31.25)?.path).toBe("A1.B03");
    expect(cellAt([area, building, other], 118.5, 31.5)?.path).toBe("A1");
    expect(cellAt([area, building, other], 0, 0)).toBeNull();
    const holed = { type: "Polygon", coordinates: [square(0, 0, 10).coordinates[0], square(4, 4, 2).coordinates[0]] };
    expect(contains(holed, 1, 1)).toBe(true);
    expect(contains(holed, 5, 5)).toBe(false);
    expect(contains({ type: "MultiPolygon", coordinates: [square(0, 0, 1).coordinates] }, 0.5, 0.5)).toBe(true);
  });
});

describe("reaches", () => {
  it("keeps a subtree's nodes and no neighbour sharing a prefix", () => {
    const scope = { kind: "SUBTREE" as const, path: "JS01.A1" };
    expect(reaches(scope, "JS01.A1")).toBe(true);
    expect(reaches(scope, "JS01.A1.B03")).toBe(true);
    expect(reaches(scope, "JS01.A10")).toBe(false);
    expect(reaches(scope, "JS01")).toBe(false);
    expect(reaches({ kind: "TENANT", path: null }, "JS01.A2")).toBe(true);
  });
});
