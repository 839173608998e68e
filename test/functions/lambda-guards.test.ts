import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mintDeviceToken, mintUserToken } from "../../src/dev/mint.js";
import { restRequestEvent } from "../adapters/apigateway/events.js";
import { captureOutput, lambdaContext, loadBundle, type StdoutCapture } from "../support/bundles.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

// The built bundles in a Lambda environment: they refuse the development config when really in Lambda
// (but not under serverless-offline, which `npm start` uses), and a slow IdP ends in a recorded `error`
// before the invocation runs out of time, never in a Lambda timeout that leaves no audit record.

let issuers: LocalIssuers;
let mdm: JwksServer;
let out: StdoutCapture;

beforeAll(async () => {
  // The device keys come from a server the test can make hang (the dev MDM always answers).
  mdm = await startJwksServer({ jwksPath: "/mdm/jwks.json" });
  issuers = await startLocalIssuers((doc) => {
    for (const provider of (doc.devicePosture as { providers: { jwksUri: string }[] }).providers) provider.jwksUri = mdm.jwksUri;
  });
  mdm.setKeys({ keys: [issuers.keys.mdm.publicJwk] });
  out = captureOutput();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([issuers.close(), mdm.close()]);
});

describe("the development config in AWS Lambda", () => {
  it.each(["rest-authorizer", "token-authorizer", "http-authorizer"])("%s refuses to start on it, saying why", async (fn) => {
    const start = loadBundle(fn, { ZTPDP_CONFIG: issuers.configPath, AWS_LAMBDA_FUNCTION_NAME: `zt-pdp-prod-${fn}`, IS_OFFLINE: undefined, AWS_SAM_LOCAL: undefined });
    await expect(start).rejects.toThrow(/refusing to start: .* is a development config \(development\.allowInsecureLoopbackJwks is set; issuers\.0\.issuer is on loopback/);
  });

  it("control: under serverless-offline (IS_OFFLINE=true, as `npm start` runs it) the same bundle starts", async () => {
    const handler = await loadBundle("rest-authorizer", { ZTPDP_CONFIG: issuers.configPath, AWS_LAMBDA_FUNCTION_NAME: "zt-pdp-dev-restAuthorizer", IS_OFFLINE: "true" });
    expect(typeof handler).toBe("function");
  });
});

describe("a slow IdP: the decision ends in time, recorded", () => {
  it("a device-key fetch that hangs: answered as a recorded error (decision_deadline_exceeded) inside the invocation's remaining time", async () => {
    const handler = await loadBundle("rest-authorizer", { ZTPDP_CONFIG: issuers.configPath });
    const user = mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: "alice", groups: ["Employees"] });
    // A key the cache has not seen: one refetch is allowed, and the key server now never answers.
    const device = mintDeviceToken({ ...issuers.keys.mdm, kid: "mdm-rotated" }, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state: "patched" });
    mdm.setMode("hang");
    out.clear();
    // 1000 ms left in the invocation; the JWKS time-out is 1500 ms: without a deadline Lambda would kill it first.
    const settled = await handler(restRequestEvent({ headers: { Authorization: `Bearer ${user}`, "X-Device-Token": device } }), lambdaContext(1000)).then(
      (response) => ({ response }),
      (error: Error) => ({ error }),
    );
    expect(settled).toHaveProperty("error");
    expect((settled as { error: Error }).error.message).toMatch(/decision_deadline_exceeded/);
    const audits = out.audits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ outcome: "error", effect: "deny", errors: [expect.objectContaining({ code: "decision_deadline_exceeded" })] });
    expect(out.metrics()[0]).toHaveProperty("Error", 1);
  });
});
