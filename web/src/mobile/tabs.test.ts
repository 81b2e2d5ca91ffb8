import { describe, expect, it } from "vitest";

import { tabsFor } from "./tabs";

const keys = (roles: Parameters<typeof tabsFor>[0]): string[] => tabsFor(roles).map((tab) => tab.key);

describe("tabsFor", () => {
  it("gives each role its own tabs", () => {
    expect(keys(["GRID_WORKER"])).toEqual(["tasks", "report", "visits", "duty", "notices", "me"]);
    expect(keys(["GRID_HEAD"])).toEqual(["inbox", "tasks", "report", "visits", "notices", "me"]);
    expect(keys(["DEPT_STAFF"])).toEqual(["tasks", "duty", "notices", "me"]);
    expect(keys(["VOLUNTEER"])).toEqual(["report", "knock", "notices", "me"]);
    expect(keys(["SECRETARY"])).toEqual(["overview", "inbox", "catalogue", "requests", "needs", "notices", "me"]);
    expect(keys(["UNIT_CONTACT"])).toEqual(["catalogue", "requests", "needs", "notices", "me"]);
  });

  it("unites several roles' tabs in one order, and leaves others only their own page", () => {
    expect(keys(["GRID_WORKER", "GRID_HEAD"])).toEqual(["inbox", "tasks", "report", "visits", "duty", "notices", "me"]);
    expect(keys(["DISTRICT_ADMIN"])).toEqual(["me"]);
  });
});
