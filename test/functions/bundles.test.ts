import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mintDeviceToken, mintUserToken } from "../../src/dev/mint.js";
import { httpApiEvent, restRequestEvent, tokenEvent } from "../adapters/apigateway/events.js";
import { captureOutput, lambdaContext, loadBundle, type StdoutCapture } from "../support/bundles.js";
import { startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

// The built Lambda bundles (dist/<fn>/index.mjs), loaded as Lambda loads them, with the middy + Powertools
// chain: parser, logger (decision id as correlation id), metrics (EMF on stdout), the audit line.

let issuers: LocalIssuers;
let out: StdoutCapture;
const context = lambdaContext();
const load = (fn: string) => loadBundle(fn);

beforeAll(async () => {
  issuers = await startLocalIssuers();
  process.env.ZTPDP_CONFIG = issuers.configPath;
  process.env.POWERTOOLS_METRICS_NAMESPACE = "ZtPdpTest";
  out = captureOutput();
});
afterAll(async () => {
  vi.restoreAllMocks();
  await issuers.close();
});

const tokens = () => ({
  user: mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: "alice", groups: ["Employees"] }),
  device: mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state: "patched" }),
});

const jsonLines = () => out.lines();

describe("built authorizer bundles", () => {
  it("REST REQUEST: allows, logs one audit line, emits Allow and latency metrics, never logs the token", async () => {
    const handler = await load("rest-authorizer");
    const { user, device } = tokens();
    out.clear();
    const res = (await handler(restRequestEvent({ headers: { Authorization: `Bearer ${user}`, "X-Device-Token": device } }), context)) as {
      policyDocument: { Statement: { Effect: string }[] };
      context: { decisionId: string };
    };
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
    const lines = jsonLines();
    const audits = lines.filter((l) => l.message === "audit");
    expect(audits).toHaveLength(1);
    expect((audits[0]!.audit as { decisionId: string }).decisionId).toBe(res.context.decisionId);
    const emf = lines.find((l) => "_aws" in l);
    expect(emf).toBeDefined();
    expect(emf).toHaveProperty("Allow", 1);
    expect(emf).toHaveProperty("DecisionLatency");
    expect(out.text()).not.toContain(user);
    expect(out.text()).not.toContain(device);
  });

  it("REST REQUEST: an unparseable event is a 401 with its audit record, not a 500", async () => {
    const handler = await load("rest-authorizer");
    out.clear();
    await expect(handler({ nonsense: true }, context)).rejects.toThrow(/^Unauthorized$/);
    expect(jsonLines().filter((l) => l.message === "audit")).toHaveLength(1);
    expect(jsonLines().find((l) => "_aws" in l)).toHaveProperty("Unauthenticated", 1);
  });

  it("TOKEN: allows the status page on the bearer token alone", async () => {
    const handler = await load("token-authorizer");
    const { user } = tokens();
    const res = (await handler(tokenEvent(`Bearer ${user}`), context)) as { policyDocument: { Statement: { Effect: string }[] } };
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
  });

  it("HTTP API: simple response", async () => {
    const handler = await load("http-authorizer");
    const { user, device } = tokens();
    const res = await handler(httpApiEvent({ headers: { authorization: `Bearer ${user}`, "x-device-token": device } }), context);
    expect(res).toMatchObject({ isAuthorized: true, context: { principalId: "User::alice" } });
  });
});
