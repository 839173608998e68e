import { describe, expect, it } from "vitest";
import { ResponseFaultError } from "../src/recorded-decisions.js";
import { pipeline, request } from "./decision/fakes.js";

// The composition root writes the audit record from what the gateway got, once per decision.

describe("the record describes what the gateway got", () => {
  it("an allow whose response cannot be built: a fault, recorded once as error (response_invalid), never as allow", async () => {
    const { pdp, audit } = pipeline({});
    const failing = pdp.authorize(request(), () => {
      throw new TypeError("cannot build the policy");
    });
    await expect(failing).rejects.toThrow(ResponseFaultError);
    await expect(failing).rejects.toThrow(/response_invalid/);
    expect(audit.records).toHaveLength(1);
    expect(audit.last()).toMatchObject({ outcome: "error", effect: "deny", determiningPolicies: ["p1"] });
    expect(audit.last()!.errors).toEqual([{ code: "response_invalid", message: "TypeError: cannot build the policy" }]);
  });

  it("a decision answered by the gateway's 401 signal is recorded as unauthenticated, whatever the core decided", async () => {
    const { pdp, audit } = pipeline({});
    await expect(pdp.authorize(request(), () => ({ raise: new Error("Unauthorized"), outcome: "unauthenticated" }))).rejects.toThrow("Unauthorized");
    expect(audit.records.map((r) => r.outcome)).toEqual(["unauthenticated"]);
  });

  it("control: a delivered allow is recorded once as allow", async () => {
    const { pdp, audit } = pipeline({});
    expect(await pdp.authorize(request(), (d) => ({ respond: d.outcome }))).toBe("allow");
    expect(audit.records.map((r) => r.outcome)).toEqual(["allow"]);
  });

  it("a deadline that passes records error (decision_deadline_exceeded), once", async () => {
    const { pdp, audit } = pipeline({ identity: () => new Promise(() => {}) });
    const d = await pdp.decide(request(), { deadlineMs: 20 });
    expect(d).toMatchObject({ outcome: "error", errors: [{ code: "decision_deadline_exceeded" }] });
    expect(audit.records).toHaveLength(1);
  });
});
