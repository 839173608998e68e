import { describe, expect, it } from "vitest";
import { quickTour } from "../../src/dev/tour.js";

// In AVA mode the project's own policies are not read, so the tour must not promise their answers.
describe("npm start's tour", () => {
  const urls = { restUrl: "http://127.0.0.1:3000/dev", httpUrl: "http://127.0.0.1:3000" };

  it("in AVA mode names the Verified Access folder and the domain-name header, without the project model's expectations", () => {
    const tour = quickTour({ ...urls, verifiedAccessDir: "web-policies" });
    expect(tour).toContain("AVA mode: the authorizers enforce the Verified Access policies of web-policies");
    expect(tour).toContain('-H "X-Ztpdp-Emulate-Domain-Name: app.example.com"');
    expect(tour).not.toContain("403: the same employee on an unpatched OS");
  });

  it("otherwise shows the project model's allow and denials", () => {
    expect(quickTour(urls)).toContain("403: the same employee on an unpatched OS");
  });
});
