import { describe, expect, it } from "vitest";

import { overdueShare, rankStreets } from "./district";

describe("rankStreets", () => {
  it("puts the most overdue first, then the larger overdue share, then the most open", () => {
    const ranked = rankStreets([
      { name: "乙", openCases: 10, overdueCases: 1 },
      { name: "甲", openCases: 2, overdueCases: 1 },
      { name: "丙", openCases: 5, overdueCases: 3 },
      { name: "丁", openCases: 0, overdueCases: 0 },
      { name: "戊", openCases: 4, overdueCases: 0 },
    ]);
    expect(ranked.map((s) => s.name)).toEqual(["丙", "甲", "乙", "戊", "丁"]);
  });

  it("counts a street without open cases as nothing overdue", () => {
    expect(overdueShare({ name: "x", openCases: 0, overdueCases: 0 })).toBe(0);
  });
});
