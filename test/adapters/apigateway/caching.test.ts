import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowStatements } from "../../../src/adapters/apigateway/allow-policy.js";
import { authorizeRestRequest } from "../../../src/adapters/apigateway/authorizer.js";
import { parseMethodArn } from "../../../src/adapters/apigateway/method-arn.js";
import { MemoryAuditSink } from "../../../src/audit/sink.js";
import { mintDeviceToken, mintUserToken } from "../../../src/dev/mint.js";
import { createPdp, type Pdp } from "../../../src/pdp.js";
import { apiGatewayPolicyMatcher, type CanExecute } from "../../support/api-gateway-cache.js";
import { startLocalIssuers, type LocalIssuers } from "../../support/local-config.js";
import { METHOD_ARN_PREFIX, restRequestEvent } from "./events.js";

// When API Gateway caches an authorizer result, later requests with the same cache key are judged by the
// cached IAM policy alone, without calling the authorizer. This test replays that: it takes the policy our
// authorizer returned for one route and asks API Gateway's policy matcher (serverless-offline's
// implementation of it) whether that policy would let other routes through. Worst case assumed: a cache
// keyed on the Authorization header only, so every route of the API would share the entry.
// (test/deploy/caching.test.ts checks the deployed cache key, input by input.)

let canExecute: CanExecute;
let issuers: LocalIssuers;
let pdp: Pdp;

beforeAll(async () => {
  canExecute = await apiGatewayPolicyMatcher();
  issuers = await startLocalIssuers();
  pdp = await createPdp({ config: issuers.loaded, audit: new MemoryAuditSink() });
});
afterAll(async () => issuers.close());

async function cachedAllowFor(method: string, resource: string, path: string, groups: string[]) {
  const token = mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: "alice", groups });
  const device = mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state: "patched" });
  const catalog = pdp.config.config.routes.map((r) => r.path);
  const res = await authorizeRestRequest(pdp, restRequestEvent({ method, resource, path, headers: { authorization: `Bearer ${token}`, "x-device-token": device } }), catalog);
  expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
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
    // `*` spans `/` in an ARN: deeper paths are other routes (`/wiki/{page}/history`), an empty page is none.
    expect(canExecute(policy, arn("GET", "/wiki/home/history"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/wiki/a/b/c"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/wiki/"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/wiki//home"))).toBe(false);
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

describe("an allow covers exactly its route template, whatever the catalog holds", () => {
  const scoped = (method: string, template: string, catalog: string[]) => ({
    Statement: allowStatements(parseMethodArn(arn(method, "/x"))!, method, template, catalog),
  });

  it("a {param} route beside a more specific literal: the literal route is not covered", () => {
    const policy = scoped("GET", "/status/{component}", ["/status/{component}", "/status/admin", "/status"]);
    expect(canExecute(policy, arn("GET", "/status/db"))).toBe(true);
    expect(canExecute(policy, arn("GET", "/status/admin"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/status"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/status/db/replica"))).toBe(false);
  });

  it("a greedy {proxy+} route: any depth under it, but not the routes more specific than it, nor an empty tail", () => {
    const policy = scoped("GET", "/files/{proxy+}", ["/files/{proxy+}", "/files/readme", "/files/{id}/meta"]);
    expect(canExecute(policy, arn("GET", "/files/a"))).toBe(true);
    expect(canExecute(policy, arn("GET", "/files/a/b/c"))).toBe(true);
    expect(canExecute(policy, arn("GET", "/files/readme"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/files/x/meta"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/files/"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/files//a"))).toBe(false);
  });

  it("several parameters: each stays one segment", () => {
    const policy = scoped("PUT", "/a/{x}/b/{y}", []);
    expect(canExecute(policy, arn("PUT", "/a/1/b/2"))).toBe(true);
    expect(canExecute(policy, arn("PUT", "/a/1/c/b/2"))).toBe(false);
    expect(canExecute(policy, arn("PUT", "/a/1/b/2/3"))).toBe(false);
    expect(canExecute(policy, arn("PUT", "/a//b/2"))).toBe(false);
    expect(canExecute(policy, arn("GET", "/a/1/b/2"))).toBe(false);
  });

  it("a client path holding `*` or `?` cannot widen anything: policies are built from templates only", () => {
    const policy = scoped("GET", "/wiki/{page}", []);
    expect(JSON.stringify(policy)).not.toContain("?");
    expect(canExecute(policy, arn("GET", "/wiki/*"))).toBe(true); // a page literally named `*`: still one segment
    expect(canExecute(policy, arn("GET", "/wiki/*/history"))).toBe(false);
  });
});
