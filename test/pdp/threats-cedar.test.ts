import { MAX_OTHER_GROUPS } from "../../src/audit/decision-record.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessRequest } from "../../src/decision/types.js";
import {
  decideOnce,
  expectAllowed,
  expectDeviceUntrusted,
  expectRefused,
  expectUnauthenticated,
  INSIDE_IP,
  OUTSIDE_IP,
  PERIMETER_VPCE,
  startHarness,
  tempPolicyDir,
  type Harness,
} from "./harness.js";

/**
 * threats.md, "Cedar inputs", plus the reference policies' own promises (payments only for the order
 * service, restricted HR data only from inside the perimeter). Claims reach Cedar only through the typed
 * mapping: a claim shaped like Cedar's JSON escapes (`__entity`, `__extn`) is refused or ignored, never
 * turned into an entity reference or an extension value.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const HR_RECORD = { routeTemplate: "/hr/records/{employeeId}", pathParameters: { employeeId: "e-100" } };
const ENTITY_HR = { __entity: { type: "Group", id: "HR" } };
const EXTN_MFA = { __extn: { fn: "decimal", arg: "1.0" } };

/** hana: an HR employee with MFA and her own patched, compliant jamf device. */
function hana(claims: Record<string, unknown> = {}, overrides: Partial<AccessRequest> = {}): AccessRequest {
  return h.request({
    bearerToken: h.userToken({ claims: { sub: "hana", email: "hana@example.com", groups: ["Employees", "HR"], ...claims } }),
    deviceToken: h.deviceToken("jamf", { claims: { user_sub: "hana" } }),
    ...HR_RECORD,
    sourceIp: INSIDE_IP,
    ...overrides,
  });
}

/** alice (Employees only) on the HR route from inside, with extra claims. */
function aliceOnHr(claims: Record<string, unknown>): AccessRequest {
  return h.request({ bearerToken: h.userToken({ claims }), ...HR_RECORD, sourceIp: INSIDE_IP });
}

describe("reference policies: positive and negative controls", () => {
  it("wiki: an Employee with a patched jamf device reads GET /wiki/{page}", async () => {
    const d = await decideOnce(h, h.request());
    expectAllowed(d);
    expect(d.decision.determiningPolicies).toEqual(["wiki-employees-read"]);
    expect(d.record.resource).toEqual({ type: "Route", id: "/wiki/{page}", application: "wiki", classification: "internal" });
  });

  it("payments: the order-service client-credentials token is allowed, as a Service principal", async () => {
    const d = await decideOnce(h, h.request({ bearerToken: h.serviceToken("order-service"), deviceToken: undefined, method: "POST", routeTemplate: "/payments/charges", pathParameters: {} }));
    expectAllowed(d, { type: "Service", id: "order-service" });
    expect(d.record.identity).toMatchObject({ kind: "service" });
    expect(d.decision.determiningPolicies).toEqual(["payments-order-service"]);
  });

  it.each([
    { who: "another service (billing-service)", token: () => h.serviceToken("billing-service"), principal: { type: "Service", id: "billing-service" } },
    { who: "a user whose sub is `order-service` (not client credentials)", token: () => h.userToken({ claims: { sub: "order-service" } }), principal: { type: "User", id: "order-service" } },
    { who: "a user token whose client_id is order-service", token: () => h.userToken({ claims: { client_id: "order-service" } }), principal: { type: "User", id: "alice" } },
    { who: "an Employee with a patched device", token: () => h.userToken(), principal: { type: "User", id: "alice" } },
  ])("payments: $who is denied by the explicit forbid", async ({ token, principal }) => {
    const req = { deviceToken: undefined, method: "POST", routeTemplate: "/payments/charges", pathParameters: {} };
    expectAllowed(await decideOnce(h, h.request({ ...req, bearerToken: h.serviceToken("order-service") })), { type: "Service", id: "order-service" });
    const d = await decideOnce(h, h.request({ ...req, bearerToken: token() }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.principal).toEqual(principal);
    expect(d.decision.determiningPolicies).toEqual(["payments-only-order-service"]);
  });

  it("a service token carrying groups gets no groups (services have no parents): the wiki is denied", async () => {
    const d = await decideOnce(h, h.request({ bearerToken: h.serviceToken("order-service", { claims: { groups: ["Employees"] } }) }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.groups).toEqual([]);
  });

  it("hr (restricted): allowed from inside 10.0.0.0/8, denied by the data perimeter from outside", async () => {
    const inside = await decideOnce(h, hana());
    expectAllowed(inside, { type: "User", id: "hana" });
    expect(inside.decision.determiningPolicies).toEqual(["hr-read"]);
    const outside = await decideOnce(h, hana({}, { sourceIp: OUTSIDE_IP }));
    expectRefused(outside, "deny", "policy_denied");
    expect(outside.decision.determiningPolicies).toEqual(["data-perimeter-restricted"]);
  });

  it.each([
    { where: "the allowed VPC endpoint, public source IP", net: { sourceIp: OUTSIDE_IP, vpceId: PERIMETER_VPCE }, allowed: true },
    { where: "another VPC endpoint", net: { sourceIp: OUTSIDE_IP, vpceId: "vpce-0123456789abcdef0" }, allowed: false },
    { where: "the VPC endpoint id with different case", net: { sourceIp: OUTSIDE_IP, vpceId: PERIMETER_VPCE.toUpperCase() }, allowed: false },
    { where: "an unknown source IP", net: { sourceIp: undefined, vpceId: undefined }, allowed: false },
    { where: "an X-Forwarded-For-like list starting inside", net: { sourceIp: "10.1.2.3, 203.0.113.7", vpceId: undefined }, allowed: false },
    { where: "a CIDR instead of an address", net: { sourceIp: "10.0.0.0/8", vpceId: undefined }, allowed: false },
    { where: "a public IPv6 address", net: { sourceIp: "2001:db8::1", vpceId: undefined }, allowed: false },
    { where: "a host name", net: { sourceIp: "intranet.corp", vpceId: undefined }, allowed: false },
  ])("hr from $where → allowed: $allowed", async ({ net, allowed }) => {
    expectAllowed(await decideOnce(h, hana()), { type: "User", id: "hana" });
    const d = await decideOnce(h, hana({}, net));
    if (allowed) expectAllowed(d, { type: "User", id: "hana" });
    else {
      expectRefused(d, "deny", "policy_denied");
      expect(d.decision.determiningPolicies).toEqual(["data-perimeter-restricted"]);
    }
  });
});

describe("Cedar inputs: IPv6 notations with an embedded IPv4 part", () => {
  // Node's isIP accepts them, Cedar's ip() does not: cedarIp maps ::ffff:a.b.c.d to a.b.c.d and treats the
  // other embedded forms as unknown, so they are evaluated (not an engine failure on every route).
  it.each(["::ffff:203.0.113.7", "::203.0.113.7", "0:0:0:0:0:ffff:203.0.113.7"])(
    "%s is evaluated: status allowed, HR denied by the perimeter",
    async (sourceIp) => {
      expectAllowed(await decideOnce(h, h.request({ routeTemplate: "/status", pathParameters: {}, sourceIp })));
      const d = await decideOnce(h, hana({}, { sourceIp }));
      expectRefused(d, "deny", "policy_denied");
      expect(d.decision.determiningPolicies).toEqual(["data-perimeter-restricted"]);
    },
  );

  it("an IPv4-mapped corporate address counts as inside the 10.0.0.0/8 perimeter", async () => {
    expectAllowed(await decideOnce(h, hana({}, { sourceIp: "::ffff:10.1.2.3" })), { type: "User", id: "hana" });
  });
});

describe("Cedar inputs: JSON escapes in claims never become entity references or extension values", () => {
  it("control: hana (HR, MFA) reads an HR record; alice (Employees) does not", async () => {
    expectAllowed(await decideOnce(h, hana()), { type: "User", id: "hana" });
    expectRefused(await decideOnce(h, aliceOnHr({})), "deny", "policy_denied");
  });

  it.each([
    { threat: "groups holding {__entity: Group HR}", claims: { groups: ["Employees", ENTITY_HR] } },
    { threat: "groups holding {__extn}", claims: { groups: ["Employees", EXTN_MFA] } },
    { threat: "groups as an {__entity} object", claims: { groups: ENTITY_HR } },
    { threat: "sub as an {__entity}", claims: { sub: ENTITY_HR } },
  ])("$threat → the token is refused (401 token_claims_invalid)", async ({ claims }) => {
    expectAllowed(await decideOnce(h, h.request()));
    expectUnauthenticated(await decideOnce(h, aliceOnHr(claims)), "token_claims_invalid");
  });

  it.each([
    { threat: "email as {__entity: Group HR}", claims: { email: ENTITY_HR } },
    { threat: "a custom claim as {__entity: Group HR}", claims: { memberOf: ENTITY_HR, "cognito:groups": [ENTITY_HR] } },
    { threat: "a group name written as Cedar text", claims: { groups: ["Employees", 'Group::"HR"', 'HR" || true || "'] } },
    { threat: "a group name that differs from HR only by a space", claims: { groups: ["Employees", "HR "] } },
    { threat: "sub written as an entity uid", claims: { sub: 'Group::"HR"' } },
  ])("$threat → accepted as data only: alice still reads the wiki and is still denied HR", async ({ claims }) => {
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims }), deviceToken: h.deviceToken("jamf", { claims: { user_sub: typeof claims.sub === "string" ? claims.sub : "alice" } }) })), {
      type: "User",
      id: typeof claims.sub === "string" ? claims.sub : "alice",
    });
    const d = await decideOnce(h, h.request({
      bearerToken: h.userToken({ claims }),
      deviceToken: h.deviceToken("jamf", { claims: { user_sub: typeof claims.sub === "string" ? claims.sub : "alice" } }),
      ...HR_RECORD,
      sourceIp: INSIDE_IP,
    }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.decision.determiningPolicies).toEqual([]);
  });

  it.each([
    { threat: "amr holding {__extn}", claims: { amr: [EXTN_MFA] } },
    { threat: "amr holding {__entity} and mfa", claims: { amr: [ENTITY_HR, "mfa"] } },
    { threat: "amr as the string \"mfa\"", claims: { amr: "mfa" } },
    { threat: "acr as an object", claims: { amr: ["pwd"], acr: { __extn: { fn: "decimal", arg: "2.0" } } } },
    { threat: "amr with sms only (not a second factor here)", claims: { amr: ["pwd", "sms"] } },
  ])("$threat → no MFA: hana is denied HR (she is allowed with amr [mfa])", async ({ claims }) => {
    expectAllowed(await decideOnce(h, hana()), { type: "User", id: "hana" });
    const d = await decideOnce(h, hana(claims));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.identity.mfa).toBe(false);
  });

  it("a device claim shaped as {__entity}/{__extn} is rejected, never mapped (posture untrusted)", async () => {
    expectAllowed(await decideOnce(h, h.request()));
    for (const claims of [{ risk: ENTITY_HR }, { osv: EXTN_MFA }, { platform: { __entity: { type: "Application", id: "wiki" } } }]) {
      expectDeviceUntrusted(await decideOnce(h, h.request({ deviceToken: h.deviceToken("jamf", { claims }) })), "device_claims_invalid");
    }
  });
});

describe("Cedar inputs: numbers outside Cedar's Long range are refused before Cedar", () => {
  const now = () => h.nowSeconds();
  it.each([
    { threat: "user exp 2^63", req: () => h.request({ bearerToken: h.userToken({ claims: { exp: 2 ** 63 } }) }), code: "token_lifetime_exceeded" },
    { threat: "user exp 1e308", req: () => h.request({ bearerToken: h.userToken({ claims: { exp: 1e308 } }) }), code: "token_lifetime_exceeded" },
    { threat: "user iat -2^63", req: () => h.request({ bearerToken: h.userToken({ claims: { iat: -(2 ** 63) } }) }), code: "token_lifetime_exceeded" },
    { threat: "user iat 2^63", req: () => h.request({ bearerToken: h.userToken({ claims: { iat: 2 ** 63, exp: now() + 60 } }) }), code: "token_not_yet_valid" },
  ] as const)("$threat → 401 $code", async ({ req, code }) => {
    expectAllowed(await decideOnce(h, h.request()));
    expectUnauthenticated(await decideOnce(h, req()), code);
  });

  it.each([
    { threat: "device iat 2^63", provider: "jamf", claims: () => ({ iat: 2 ** 63 }), reason: "device_token_not_yet_valid" },
    { threat: "device iat fractional", provider: "jamf", claims: () => ({ iat: now() - 0.5 }), reason: "device_claims_invalid" },
    { threat: "device edr_score 2^63", provider: "generic-mdm", claims: () => ({ edr_score: 2 ** 63 }), reason: "device_claims_invalid" },
    { threat: "device osv component 2^63", provider: "jamf", claims: () => ({ osv: "9223372036854775808.0.0" }), reason: "device_claims_invalid" },
    { threat: "device CrowdStrike score -2^63", provider: "crowdstrike", claims: () => ({ assessment: { overall: -(2 ** 63) } }), reason: "device_claims_invalid" },
  ] as const)("$threat → posture untrusted ($reason), 403", async ({ provider, claims, reason }) => {
    expectAllowed(await decideOnce(h, h.request({ deviceToken: h.deviceToken(provider) })));
    expectDeviceUntrusted(await decideOnce(h, h.request({ deviceToken: h.deviceToken(provider, { claims: claims() }) })), reason);
  });
});

describe("Cedar inputs: very large group sets", () => {
  const many = (n: number) => ["Employees", ...Array.from({ length: n - 1 }, (_, i) => `g-${i}`)];

  it("control: 200 groups (the cap) are accepted; the record keeps the policy-named group, counts all 200, lists a bounded rest", async () => {
    const d = await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups: many(200) } }) }));
    expectAllowed(d);
    expect(d.record.groups[0]).toBe("Employees");
    expect(d.record.groups).toHaveLength(1 + MAX_OTHER_GROUPS);
    expect(d.record).toMatchObject({ groupCount: 200, groupsOmitted: 200 - 1 - MAX_OTHER_GROUPS });
  });

  it("the group that decided is in the record even when it comes last of 200 (and named in full)", async () => {
    const longName = `Employees`; // named by wiki.cedar; any policy-named group is kept whatever its position
    const groups = [...Array.from({ length: 199 }, (_, i) => `g-${i}`), longName];
    const d = await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups } }) }));
    expectAllowed(d);
    expect(d.record.groups).toContain("Employees");
    expect(d.record.groups).not.toContain("g-25");
    expect(d.record).toMatchObject({ groupCount: 200, groupsOmitted: 200 - 1 - MAX_OTHER_GROUPS });
  });

  it("201 groups → the token is refused (never truncated: a dropped group could be a deny-relevant one)", async () => {
    expectAllowed(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups: many(200) } }) })));
    expectUnauthenticated(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups: many(201) } }) })), "token_claims_invalid");
  });

  it("250 copies of one group → refused (the count is checked before de-duplication)", async () => {
    expectUnauthenticated(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups: Array(250).fill("Employees") } }) })), "token_claims_invalid");
  });

  it("a group name over the 512-character claim limit → refused", async () => {
    expectUnauthenticated(await decideOnce(h, h.request({ bearerToken: h.userToken({ claims: { groups: ["Employees", "g".repeat(513)] } }) })), "token_claims_invalid");
  });
});

describe("Cedar inputs: policy sets", () => {
  it("an empty policy set (schema only) denies everything; the same folder with wiki.cedar allows the wiki", async () => {
    const empty = tempPolicyDir();
    const withWiki = tempPolicyDir({ "wiki.cedar": { copy: "wiki.cedar" } });
    const a = await startHarness({ policyDir: withWiki.dir });
    const b = await startHarness({ policyDir: empty.dir });
    try {
      expectAllowed(await decideOnce(a, a.request()));
      for (const req of [
        b.request(),
        b.request({ routeTemplate: "/status", pathParameters: {} }),
        b.request({ bearerToken: b.serviceToken("order-service"), method: "POST", routeTemplate: "/payments/charges", pathParameters: {} }),
        b.request({ ...HR_RECORD, sourceIp: INSIDE_IP }),
      ]) {
        const d = await decideOnce(b, req);
        expectRefused(d, "deny", "policy_denied");
        expect(d.decision.determiningPolicies).toEqual([]);
        expect(d.record.errors).toEqual([{ code: "policy_denied", message: "no policy permits this request" }]);
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
      empty.cleanup();
      withWiki.cleanup();
    }
  });

  it("a policy evaluation error (Long overflow in a forbid) denies and is visible in the audit record", async () => {
    const overflow = '@id("overflow-forbid")\nforbid (principal, action, resource)\nwhen { context.device.os.major + 9223372036854775807 > 0 };\n';
    const good = tempPolicyDir({ "wiki.cedar": { copy: "wiki.cedar" } });
    const bad = tempPolicyDir({ "wiki.cedar": { copy: "wiki.cedar" }, "overflow.cedar": overflow });
    const a = await startHarness({ policyDir: good.dir });
    const b = await startHarness({ policyDir: bad.dir });
    try {
      expectAllowed(await decideOnce(a, a.request()));
      const d = await decideOnce(b, b.request());
      expectRefused(d, "deny", "policy_evaluation_error");
      // Cedar itself skipped the erroring forbid and said allow: the decision layer turned it into a deny.
      expect(d.decision.determiningPolicies).toEqual(["wiki-employees-read"]);
      expect(d.record.errors).toEqual([expect.objectContaining({ code: "policy_evaluation_error", policyId: "overflow-forbid" })]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      good.cleanup();
      bad.cleanup();
    }
  });
});
