import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalAvp, type LocalAvp } from "../../src/dev/avp/server.js";
import { mintDeviceToken, mintUserToken, type DeviceState } from "../../src/dev/mint.js";
import { tokenFingerprint } from "../../src/identity/fingerprint.js";
import { loadPolicyDir } from "../../src/policy/loader.js";
import { storeWith } from "../policy/verified-permissions/support.js";
import { startE2eStack, type E2eStack } from "./stack.js";

// End to end on the Verified Permissions engines: serverless-offline runs the built authorizer, whose
// config names a store on the local endpoint (filled by `ztpdp push`'s code from a copy of the reference
// policies); remote asks IsAuthorized per request, mirror copies the store at cold start.

const POLICIES = join(import.meta.dirname, "../fixtures/project/policies");
let avp: LocalAvp;
beforeAll(async () => {
  avp = await startLocalAvp();
});
afterAll(() => avp?.close());

describe.each(["remote", "mirror"] as const)("REST API on the %s engine", (mode) => {
  let stack: E2eStack;
  let storeId: string;
  beforeAll(async () => {
    storeId = await storeWith(avp, loadPolicyDir(POLICIES));
    stack = await startE2eStack({
      editConfig: (doc) => {
        // Budgets for a shared, loaded test machine (the defaults assume an in-region answer in tens of ms).
        doc.policy = { engine: "verified-permissions", mode, policyStoreId: storeId, region: "eu-west-1", endpoint: avp.url, dir: POLICIES, timeoutMs: 10_000, attemptTimeoutMs: 5_000 };
        doc.limits = { ...(doc.limits as object), decisionTimeoutMs: 20_000 };
      },
      env: { AWS_ACCESS_KEY_ID: "AKIDE2E", AWS_SECRET_ACCESS_KEY: "e2e", AWS_EC2_METADATA_DISABLED: "true" },
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const tokens = (state: DeviceState) => {
    const user = mintUserToken(stack.keys.idp, { issuer: stack.issuer, audience: stack.audience, user: "alice", groups: ["Employees"] });
    const device = mintDeviceToken(stack.keys.mdm, { provider: "jamf", issuer: stack.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state });
    return { user, headers: { authorization: `Bearer ${user}`, "x-device-token": device } };
  };

  /** The first request may meet a cold start that the emulator's 6 s timeout cuts short on a busy machine: ask again. */
  async function get(headers: Record<string, string>, attempts = 3): Promise<number> {
    for (let i = 1; ; i += 1) {
      const res = await fetch(`${stack.restUrl}/wiki/home`, { headers });
      await res.text();
      if (res.status !== 401 || i >= attempts) return res.status;
    }
  }

  it("allows an Employee on a patched device (200) and denies an unpatched one (403), audited with the engine and revision", async () => {
    const ok = tokens("patched");
    expect(await get(ok.headers)).toBe(200);
    const allowed = await stack.waitForAudit((r) => r.identity.tokenFingerprint === tokenFingerprint(ok.user) && r.outcome === "allow", 20_000);
    const engine = mode === "remote" ? "verified-permissions" : "verified-permissions-mirror";
    const revision = mode === "remote" ? `avp:${storeId}` : loadPolicyDir(POLICIES).revision;
    expect(allowed).toMatchObject({ engine, policyRevision: revision, determiningPolicies: ["wiki-employees-read"] });

    const no = tokens("unpatched");
    expect(await get(no.headers)).toBe(403);
    const denied = await stack.waitForAudit((r) => r.identity.tokenFingerprint === tokenFingerprint(no.user), 20_000);
    expect(denied).toMatchObject({ outcome: "deny", engine, errors: [{ code: "policy_denied" }] });
  }, 120_000);
});
