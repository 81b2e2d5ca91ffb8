import { describe, expect, it } from "vitest";

import { route, trackingLink } from "./links";

describe("the residents' routes", () => {
  it("reads the street and the token from the path and the fragment", () => {
    expect(route("/r/jinshui", "")).toEqual({ page: "report", street: "jinshui" });
    expect(route("/r/jinshui/", "")).toEqual({ page: "report", street: "jinshui" });
    expect(route("/r/jinshui/t", "#abc_-1")).toEqual({ page: "track", street: "jinshui", token: "abc_-1" });
  });

  it("refuses what is not a page", () => {
    expect(route("/r/", "")).toBeNull();
    expect(route("/r/Jinshui", "")).toBeNull();
    expect(route("/r/jinshui/t", "")).toBeNull();
    expect(route("/r/jinshui/x/y", "#t")).toBeNull();
  });

  it("keeps the token in the fragment", () => {
    expect(trackingLink("https://x.cn", "jinshui", "tok")).toBe("https://x.cn/r/jinshui/t#tok");
  });
});
