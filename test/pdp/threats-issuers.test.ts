import { describe, expect, it, onTestFinished } from "vitest";
import { ConfigError } from "../../src/config/load.js";
import { configDocFor, decideOnce, expectAllowed, expectRefused, loadDoc, startHarness, startServers, tempPolicyDir } from "./harness.js";
import type { ConfigDoc, Harness } from "./harness.js";

/**
 * Several trusted issuers share one Cedar namespace unless the PDP keeps them apart: one IdP's users,
 * groups and clients must never become another's (`Group::"Employees"`, `Service::"order-service"`), and
 * a device bound to `alice` must not bind a partner IdP's `alice`. Config load refuses what could
 * collide; ids carry the issuer's prefix before a separator no prefix may contain; a device token binds
 * to the issuer and the user claim.
 */

/** A second user-token issuer (`partner`), on the same loopback key server, with its own `iss`. */
function addPartner(doc: ConfigDoc, partnerPrefix: string | null = "partner"): void {
  const corp = doc.issuers[0];
  corp.name = "corp";
  corp.principal = { entityIdPrefix: "corp" };
  doc.issuers.push({
    ...corp,
    name: "partner",
    issuer: `${corp.issuer}/partner`,
    principal: partnerPrefix === null ? {} : { entityIdPrefix: partnerPrefix },
  });
  for (const provider of doc.devicePosture.providers) provider.binding.issuers = ["corp"];
  // The dev config's Verified Access trust provider brokers to the first issuer, renamed here.
  if (doc.trustProvider) doc.trustProvider.upstream.issuer = "corp";
}

async function problemsOf(edit: (doc: ConfigDoc) => void): Promise<string[]> {
  const { idp, mdm } = await startServers();
  try {
    const doc = configDocFor(idp, mdm);
    edit(doc);
    try {
      loadDoc(doc);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
    return [];
  } finally {
    await Promise.all([idp.close(), mdm.close()]);
  }
}

describe("config: issuers that could share entity ids are refused", () => {
  it("control: two issuers with distinct prefixes and bound posture providers load", async () => {
    expect(await problemsOf((doc) => addPartner(doc))).toEqual([]);
  });

  it("a second issuer without an entityIdPrefix", async () => {
    expect(await problemsOf((doc) => addPartner(doc, null))).toEqual([
      expect.stringMatching(/^issuers\.1\.principal\.entityIdPrefix: required when more than one issuer is trusted/),
    ]);
  });

  it("two issuers with the same prefix", async () => {
    expect(await problemsOf((doc) => addPartner(doc, "corp"))).toEqual([
      expect.stringMatching(/^issuers\.1\.principal\.entityIdPrefix: `corp` is already the prefix of issuers\.0/),
    ]);
  });

  it("a prefix containing the separator `|` (`corp|x` would let corp's user `x|alice` be this issuer's `alice`)", async () => {
    expect(await problemsOf((doc) => addPartner(doc, "corp|x"))).toEqual([expect.stringMatching(/^issuers\.1\.principal\.entityIdPrefix: `corp\|x` contains `\|`/)]);
    expect(await problemsOf((doc) => (doc.issuers[0].principal = { entityIdPrefix: "a|b" }))).toHaveLength(1);
  });

  it("with several issuers, a posture provider must say whose users its devices belong to, by configured name", async () => {
    const problems = await problemsOf((doc) => {
      addPartner(doc);
      delete doc.devicePosture.providers[0].binding.issuers;
      doc.devicePosture.providers[1].binding.issuers = ["okta"];
    });
    expect(problems).toEqual([
      expect.stringMatching(/^devicePosture\.providers\.0\.binding\.issuers: required when more than one issuer is trusted/),
      expect.stringMatching(/^devicePosture\.providers\.1\.binding\.issuers: `okta` is not the name of a configured issuer/),
    ]);
  });
});

describe("two issuers: ids and device bindings stay in their issuer's namespace", () => {
  async function twoIssuers(): Promise<Harness & { partnerToken(claims?: Record<string, unknown>): string }> {
    const policies = tempPolicyDir({
      "corp.cedar": '@id("corp-employees-read-status")\npermit (principal in Group::"corp|Employees", action in Action::"read", resource in Application::"status");\n',
      "device.cedar": '@id("verified-device-reads-wiki")\npermit (principal, action in Action::"read", resource in Application::"wiki")\nwhen { context.device.verified };\n',
    });
    onTestFinished(policies.cleanup);
    const h = await startHarness({ policyDir: policies.dir, edit: (doc) => addPartner(doc) });
    onTestFinished(() => h.close());
    const partnerIss = `${h.idp.issuer}/partner`;
    return Object.assign(h, { partnerToken: (claims: Record<string, unknown> = {}) => h.userToken({ claims: { iss: partnerIss, ...claims } }) });
  }

  it("control: corp's alice is User::\"corp|alice\" in Group::\"corp|Employees\"", async () => {
    const h = await twoIssuers();
    const d = await decideOnce(h, h.request({ routeTemplate: "/status", deviceToken: undefined }));
    expectAllowed(d, { type: "User", id: "corp|alice" });
    expect(d.record.groups).toEqual(["corp|Employees"]);
  });

  it("a partner user whose sub and groups hold `corp|…` stays in the partner namespace", async () => {
    const h = await twoIssuers();
    const d = await decideOnce(h, h.request({ routeTemplate: "/status", deviceToken: undefined, bearerToken: h.partnerToken({ sub: "corp|alice", groups: ["corp|Employees"] }) }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.principal).toEqual({ type: "User", id: "partner|corp|alice" });
    expect(d.record.groups).toEqual(["partner|corp|Employees"]);
    expect(d.record.identity.issuer).toBe("partner");
  });

  it("a partner client cannot be corp's Service either", async () => {
    const h = await twoIssuers();
    const d = await decideOnce(h, h.request({ routeTemplate: "/status", deviceToken: undefined, bearerToken: h.partnerToken({ sub: "corp|order-service", client_id: "corp|order-service", groups: undefined }) }));
    expect(d.record.principal).toEqual({ type: "Service", id: "partner|corp|order-service" });
  });

  it("control: corp's alice with her device: the device is verified", async () => {
    const h = await twoIssuers();
    const d = await decideOnce(h, h.request());
    expectAllowed(d, { type: "User", id: "corp|alice" });
    expect(d.record.device.verified).toBe(true);
  });

  it("the partner IdP's `alice` presenting corp alice's device token: bound to another user (issuer and claim must both match)", async () => {
    const h = await twoIssuers();
    const d = await decideOnce(h, h.request({ bearerToken: h.partnerToken() }));
    expectRefused(d, "deny", "policy_denied");
    expect(d.record.principal).toEqual({ type: "User", id: "partner|alice" });
    expect(d.record.device).toMatchObject({ verified: false, untrustedReason: "device_binding_mismatch" });
  });
});
