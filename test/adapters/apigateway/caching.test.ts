import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeRestRequest, type IamPolicyResponse } from "../../../src/adapters/apigateway/authorizer.js";
import { MemoryAuditSink } from "../../../src/audit/sink.js";
import { mintDeviceToken, mintUserToken } from "../../../src/dev/mint.js";
import { createPdp, type Pdp } from "../../../src/pdp.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../../support/local-config.js";
import { METHOD_ARN_PREFIX, restRequestEvent } from "./events.js";

// When API Gateway caches an authorizer result, later requests with the same cache key are judged by the
// cached IAM policy alone, without calling the authorizer. This test replays that: it takes the policy our
// authorizer returned for one route and asks API Gateway's policy matcher (serverless-offline's
// implementation of it) whether that policy would let other routes through. Worst case assumed: a cache
// keyed on the Authorization header only, so every route of the API would share the entry.

type CanExecute = (policy: IamPolicyResponse["policyDocument"], methodArn: string) => boolean;
let canExecute: CanExecute;
let issuers: LocalIssuers;
let pdp: Pdp;

beforeAll(async () => {
  const matcher = join(ROOT, "node_modules/serverless-offline/src/events/authCanExecuteResource.js");
  canExecute = ((await import(pathToFileURL(matcher).href)) as { default: CanExecute }).default;
  issuers = await startLocalIssuers();
  pdp = await createPdp({ config: issuers.loaded, audit: new MemoryAuditSink() });
});
afterAll(async () => issuers.close());

async function cachedAllowFor(method: string, resource: string, path: string, groups: string[]) {
  const token = mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: "alice", groups });
  const device = mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state: "patched" });
  const res = await authorizeRestRequest(pdp, restRequestEvent({ method, resource, path, headers: { authorization: `Bearer ${token}`, "x-device-token": device } }));
  expect(res.policyDocument.Statement[0].Effect).toBe("Allow");
  return res.policyDocument;
}

const arn = (method: string, path: string) => `${METHOD_ARN_PREFIX}/${method}${path}`;

describe("a cached allow never opens another route", () => {
  it("an Employee's cached wiki read covers wiki pages, and nothing else", async () => {
    const policy = await cachedAllowFor("GET", "/wiki/{page}", "/wiki/home", ["Employees"]);
    // Positive control: the matcher does honour the policy for what was decided (another page, same route).
    expect(canExecute(policy, arn("GET", "/wiki/home"))).toBe(true);
    expect(canExecute(policy, arn("GET", "/wiki/roadmap"))).toBe(true);
    // Another method on the same route (a write needs Editors + MFA), and other routes entirely.
    expect(canExecute(policy, arn("PUT", "/wiki/home"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/wiki"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/hr/records/e-42"))).toBe(false);
    expect(canExecute(policy, arn("POST", "/payments/charges"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/status"))).toBe(false);
  });

  it("a cached allow on a route without parameters is exact", async () => {
    const policy = await cachedAllowFor("GET", "/status", "/status", ["Contractors"]);
    expect(canExecute(policy, arn("GET", "/status"))).toBe(true);
    expect(canExecute(policy, arn("GET", "/status/anything"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/wiki/home"))).toBe(false);
  });

  it("does not outlive a stage: the same route in another stage is not covered", async () => {
    const policy = await cachedAllowFor("GET", "/wiki/{page}", "/wiki/home", ["Employees"]);
    expect(canExecute(policy, arn("GET", "/wiki/home").replace("/prod/", "/staging/"))).toBe(false);
  });
});
