import { describe, expect, it } from "vitest";
import { Checker } from "../../../src/cli/scenario/check.js";

describe("Checker.policyIdList", () => {
  const ids = new Set(["wiki-employees-read", "hr-read"]);

  it("returns the ids and reports an unknown one with the closest known id", () => {
    const check = new Checker();
    expect(check.policyIdList(["hr-read", "wiki-employee-read"], ["expect", "determining"], ids)).toEqual(["hr-read", "wiki-employee-read"]);
    expect(check.issues).toEqual([{ path: ["expect", "determining", 1], message: "unknown policy id `wiki-employee-read` (did you mean `wiki-employees-read`?)" }]);
  });

  it("points at the entry's own index when an earlier entry is not a string", () => {
    const check = new Checker();
    check.policyIdList([42, "nope"], ["determining"], ids);
    expect(check.issues.map((i) => i.path)).toEqual([["determining", 0], ["determining", 1]]);
  });
});
