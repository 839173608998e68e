import { describe, expect, it } from "vitest";
import { issuerSchema, limitsSchema } from "../../src/config/schema.js";
import { buildAttributeCatalog, readPrincipalAttributes } from "../../src/identity/principal-attributes.js";
import { readIssuerGroups } from "../../src/identity/groups.js";

const limits = limitsSchema.parse({ maxGroups: 3, maxClaimStringLength: 16 });
const base = { name: "a", issuer: "https://a.example", jwksUri: "https://a.example/k", audiences: ["api"], types: ["JWT"], tokenUse: "access" };

describe("principal attributes from claims", () => {
  const issuer = issuerSchema.parse({
    ...base,
    principal: { attributes: { dept: { claim: "department", type: "String" }, verified: { claim: "email_verified", type: "Bool" }, level: { claim: "lvl", type: "Long" }, teams: { claim: "teams", type: "Set<String>" } } },
  });
  const other = issuerSchema.parse({ ...base, name: "b", issuer: "https://b.example", principal: { attributes: { region: "String" } } });
  const { catalog } = buildAttributeCatalog([issuer, other]);
  const read = (payload: Record<string, unknown>) => readPrincipalAttributes(payload, issuer.principal.attributes, catalog.get("User"), limits);

  it("copies claims of the declared type, and gives every attribute of the entity type a value (other issuers' too)", () => {
    expect(read({ department: "finance", email_verified: true, lvl: 3, teams: ["a", "b", "a"] })).toEqual({
      attributes: { dept: "finance", verified: true, level: 3, teams: ["a", "b"], region: "" },
      untrusted: [],
    });
  });

  it("an absent claim is least-trusted but not untrusted; a wrong type is both", () => {
    expect(read({})).toEqual({ attributes: { dept: "", verified: false, level: 0, teams: [], region: "" }, untrusted: [] });
    const wrong = read({ department: 7, email_verified: "true", lvl: 1.5, teams: "a" });
    expect(wrong.attributes).toEqual({ dept: "", verified: false, level: 0, teams: [], region: "" });
    expect(wrong.untrusted).toEqual(["dept", "verified", "level", "teams"]);
  });

  it("never coerces or truncates: too long, unsafe integers, oversized or mixed sets are untrusted", () => {
    const r = read({ department: "x".repeat(17), lvl: 2 ** 60, teams: ["a", "b", "c", "d"] });
    expect(r.untrusted).toEqual(["dept", "level", "teams"]);
    expect(read({ teams: ["a", 1] }).untrusted).toEqual(["teams"]);
  });

  it("a claim holding a Cedar entity or extension escape is a wrong type, never an entity reference", () => {
    expect(read({ department: { __entity: { type: "User", id: "admin" } } }).attributes.dept).toBe("");
  });
});

describe("group claims", () => {
  const issuer = (groupClaim: unknown, extra: Record<string, unknown> = {}) => issuerSchema.parse({ ...base, groupClaim, ...extra });

  it("reads a nested path (Keycloak realm_access.roles) and a claim name with dots verbatim", () => {
    expect(readIssuerGroups({ realm_access: { roles: ["a"] } }, issuer(["realm_access", "roles"]), limits)).toEqual({ ok: true, groups: ["a"] });
    expect(readIssuerGroups({ "https://x.example/roles": ["r"] }, issuer("https://x.example/roles"), limits)).toEqual({ ok: true, groups: ["r"] });
  });

  it("absent: no groups with a notice; overage via OIDC distributed claims or a preset marker: no groups with a notice", () => {
    expect(readIssuerGroups({}, issuer("groups"), limits)).toEqual({ ok: true, groups: [], unavailable: "groups_claim_absent" });
    expect(readIssuerGroups({ realm_access: "x" }, issuer(["realm_access", "roles"]), limits)).toMatchObject({ unavailable: "groups_claim_absent" });
    expect(readIssuerGroups({ groups: ["g"], _claim_names: { groups: "src1" } }, issuer("groups"), limits)).toEqual({ ok: true, groups: [], unavailable: "groups_overage" });
    expect(readIssuerGroups({ hasgroups: true }, issuer("groups", { groupOverageClaims: ["hasgroups"] }), limits)).toMatchObject({ unavailable: "groups_overage" });
  });

  it("an issuer that conveys no groups (groupClaim null) gives none, without a notice", () => {
    expect(readIssuerGroups({ groups: ["ignored"] }, issuer(null), limits)).toEqual({ ok: true, groups: [] });
  });

  it("malformed group claims refuse the token", () => {
    expect(readIssuerGroups({ groups: "g" }, issuer("groups"), limits)).toMatchObject({ ok: false });
    expect(readIssuerGroups({ groups: ["a", "b", "c", "d"] }, issuer("groups"), limits)).toMatchObject({ ok: false });
  });
});
