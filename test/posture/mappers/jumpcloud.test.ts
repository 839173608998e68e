import { describe, expect, it } from "vitest";
import { mapJumpCloud } from "../../../src/posture/mappers/jumpcloud.js";
import { fixture, withClaims } from "../helpers.js";

describe("jumpcloud mapper", () => {
  it("maps the documented Verified Access claims (system is an id string)", () => {
    expect(mapJumpCloud(fixture("jumpcloud"))).toEqual({
      ok: true,
      managed: true,
      compliant: false,
      os: { family: "unknown", version: null },
      diskEncrypted: false,
      edrScore: 0,
      riskLevel: "unknown",
    });
  });

  it("is unmanaged when is_managed is false or absent", () => {
    expect(mapJumpCloud(withClaims("jumpcloud", { device: { is_managed: false } }))).toMatchObject({ managed: false });
    expect(mapJumpCloud(withClaims("jumpcloud", { device: {} }))).toMatchObject({ managed: false });
    expect(mapJumpCloud(withClaims("jumpcloud", { device: undefined }))).toMatchObject({ ok: true, managed: false });
  });

  it("reads os and version from a system object", () => {
    expect(mapJumpCloud(withClaims("jumpcloud", { system: { os: "Mac OS X", version: "15.7.1" } }))).toMatchObject({
      os: { family: "macos", version: { text: "15.7.1" } },
    });
    expect(mapJumpCloud(withClaims("jumpcloud", { system: { os: "Windows" } }))).toMatchObject({
      os: { family: "windows", version: null },
    });
    expect(mapJumpCloud(withClaims("jumpcloud", { system: { version: "15.7" } }))).toMatchObject({
      os: { family: "unknown", version: { text: "15.7.0" } },
    });
  });

  it("ignores unknown keys in a system object: an `__extn` there is never passed through", () => {
    const r = mapJumpCloud(withClaims("jumpcloud", { system: { __extn: { fn: "ip", arg: "10.0.0.1" } } }));
    expect(r).toMatchObject({ ok: true, os: { family: "unknown", version: null } });
    expect(JSON.stringify(r)).not.toContain("__extn");
  });

  it.each([
    ["is_managed as string", { device: { is_managed: "true" } }, "device.is_managed"],
    ["is_managed as number", { device: { is_managed: 1 } }, "device.is_managed"],
    ["is_managed as __entity", { device: { is_managed: { __entity: { type: "B", id: "true" } } } }, "device.is_managed"],
    ["device as boolean", { device: true }, "device"],
    ["system as number", { system: 42 }, "system"],
    ["system os unknown", { system: { os: "Ubuntu" } }, "system"],
    ["system version latest", { system: { os: "Windows", version: "latest" } }, "system"],
  ])("rejects %s", (_name, changes, claim) => {
    const r = mapJumpCloud(withClaims("jumpcloud", changes));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe("device_claims_invalid");
      expect(r.message).toContain(`claim \`${claim}`);
    }
  });
});
