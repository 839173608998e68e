import { describe, expect, it } from "vitest";
import type { VerifiedIdentity } from "../../src/identity/types.js";
import { buildClaims, byteLength, riskVerdict } from "../../src/trust-provider/claims.js";
import { LEAST_TRUSTED_POSTURE, type PostureRecord } from "../../src/posture/types.js";

const identity = (o: Partial<VerifiedIdentity> = {}): VerifiedIdentity => ({
  kind: "user",
  issuerName: "corp",
  issuer: "https://idp.example.com",
  principal: { type: "User", id: "alice" },
  groups: [],
  subject: "alice",
  email: "alice@example.com",
  tokenUse: "id",
  amr: ["pwd", "mfa"],
  mfa: true,
  issuedAt: 1_800_000_000,
  expiresAt: 1_800_000_300,
  tokenFingerprint: "f".repeat(64),
  bindingClaims: {},
  ...o,
});

const patched: PostureRecord = {
  verified: true,
  provider: "jamf",
  managed: true,
  compliant: true,
  os: { family: "macos", version: "15.7.2", major: 15, minor: 7, patch: 2, patched: true },
  diskEncrypted: true,
  edrScore: 90,
  riskLevel: "low",
  observedAt: 1_800_000_000,
  ageSeconds: 12,
};

const input = (o: Partial<Parameters<typeof buildClaims>[0]> = {}) => ({
  identity: identity(),
  groups: ["Employees"],
  emailVerified: true,
  posture: patched,
  untrustedReason: undefined,
  maxGroups: 100,
  maxBytes: 10240,
  ...o,
});

/** Cedar has no floats: every number must be an integer in the Long range; no null, no nested arrays. */
function assertCedarSafe(value: unknown, path = "claims"): void {
  if (typeof value === "number") {
    expect(Number.isSafeInteger(value), `${path} is not an integer`).toBe(true);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      expect(typeof v, `${path}[${i}]`).toBe("string");
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) assertCedarSafe(v, `${path}.${k}`);
  } else {
    expect(["string", "boolean"], `${path} has type ${typeof value}`).toContain(typeof value);
  }
}

describe("userinfo claims", () => {
  it("carry identity, the device record and the risk verdict, with Cedar-safe types only", () => {
    const built = buildClaims(input());
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.claims).toMatchObject({ sub: "alice", groups: ["Employees"], groups_truncated: false, risk: "low", device: { patched: true, os_major: 15, observed_at: 1_800_000_000 } });
    assertCedarSafe(built.claims);
  });

  it("have every key even without a device or an email, at least-trusted values", () => {
    const built = buildClaims(input({ identity: identity({ email: undefined as never }), posture: LEAST_TRUSTED_POSTURE, untrustedReason: "device_token_missing" }));
    if (!built.ok) throw new Error("expected claims");
    expect(built.claims).toMatchObject({ email: "", email_verified: false, risk: "high", device: { verified: false, provider: "none", os: "unknown", untrusted_reason: "device_token_missing" } });
    assertCedarSafe(built.claims);
  });

  it("stay under the byte budget with 1,000 long groups: groups are cut in order and flagged", () => {
    const groups = Array.from({ length: 1000 }, (_, i) => `group-${String(i).padStart(4, "0")}-${"x".repeat(100)}`);
    const built = buildClaims(input({ groups, maxGroups: 1000, maxBytes: 11264 }));
    if (!built.ok) throw new Error("expected claims");
    expect(built.claims.groups_truncated).toBe(true);
    expect(byteLength(built.claims)).toBeLessThanOrEqual(11264);
    expect(built.claims.groups).toEqual(groups.slice(0, built.claims.groups.length));
    // The longest prefix that fits: one more group would not.
    const oneMore = { ...built.claims, groups: groups.slice(0, built.claims.groups.length + 1) };
    expect(byteLength(oneMore)).toBeGreaterThan(11264);
  });

  it("keep at most maxGroups groups, flagged", () => {
    const built = buildClaims(input({ groups: ["a", "b", "c"], maxGroups: 2 }));
    if (!built.ok) throw new Error("expected claims");
    expect(built.claims).toMatchObject({ groups: ["a", "b"], groups_truncated: true });
  });

  it("refuse rather than exceed the budget when even no group fits", () => {
    const built = buildClaims(input({ identity: identity({ subject: "s".repeat(4000), email: "e".repeat(4000) }), maxBytes: 4096 }));
    expect(built.ok).toBe(false);
  });

  it.each([
    ["verified, managed, compliant, patched", {}, "low"],
    ["one patch behind", { os: { ...patched.os, patched: false } }, "medium"],
    ["not compliant", { compliant: false }, "medium"],
    ["provider says medium", { riskLevel: "medium" }, "medium"],
    ["provider says high", { riskLevel: "high" }, "high"],
    ["unmanaged", { managed: false }, "high"],
    ["not verified", { verified: false }, "high"],
  ] as const)("risk verdict: %s → %s", (_name, change, expected) => {
    expect(riskVerdict({ ...patched, ...change } as PostureRecord)).toBe(expected);
  });
});
