import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeHttpApi, authorizeRestRequest } from "../../src/adapters/apigateway/authorizer.js";
import { MemoryAuditSink } from "../../src/audit/sink.js";
import { loadConfig } from "../../src/config/load.js";
import { mintDeviceToken, mintUserToken } from "../../src/dev/mint.js";
import { createPdp, type Pdp } from "../../src/pdp.js";
import { httpApiEvent, restRequestEvent } from "../adapters/apigateway/events.js";
import { apiGatewayPolicyMatcher, httpCacheKey, restCacheKey, type CanExecute } from "../support/api-gateway-cache.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

// Authorizer result caching, as deployed with the TTL raised (`ZTPDP_AUTHORIZER_TTL=300 serverless
// package`): the identity sources in the generated template are API Gateway's cache key. For each
// decision input, one request changes only that input; if API Gateway would find the first request's
// cached result under the same key, that cached result (replayed through API Gateway's policy matcher
// for REST, reused as is for an HTTP API simple response) must be exactly what a fresh decision says.

interface Resource {
  Type: string;
  Properties: Record<string, any>;
}

const exec = promisify(execFile);
const cli = join(ROOT, "node_modules/serverless/bin/serverless.js");
const packageWith = (env: Record<string, string>, dir: string) =>
  // The demo API carries the authorizers' API Gateway wiring (deployed only with --param demo=true).
  exec(process.execPath, [cli, "package", "--param", "demo=true", "--package", dir], {
    cwd: ROOT,
    env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: "false", SLS_TELEMETRY_DISABLED: "1", ...env },
    timeout: 120_000,
  });

let resources: Record<string, Resource>;
let tokenRefusal: string;
const dirs: string[] = [];
let issuers: LocalIssuers;
let pdp: Pdp;
let canExecute: CanExecute;
let catalog: string[];

beforeAll(async () => {
  const [cached, refused] = [mkdtempSync(join(tmpdir(), "ztpdp-cache-")), mkdtempSync(join(tmpdir(), "ztpdp-cache-token-"))];
  dirs.push(cached, refused);
  const [, refusal] = await Promise.all([
    packageWith({ ZTPDP_AUTHORIZER_TTL: "300" }, cached),
    packageWith({ ZTPDP_TOKEN_AUTHORIZER_TTL: "300" }, refused).then(
      () => "",
      (err: { stdout?: string; stderr?: string; message: string }) => `${err.stdout ?? ""}${err.stderr ?? ""}${err.message}`,
    ),
  ]);
  tokenRefusal = refusal;
  resources = (JSON.parse(readFileSync(join(cached, "cloudformation-template-update-stack.json"), "utf8")) as { Resources: Record<string, Resource> }).Resources;
  canExecute = await apiGatewayPolicyMatcher();
  issuers = await startLocalIssuers();
  pdp = await createPdp({ config: issuers.loaded, audit: new MemoryAuditSink() });
  catalog = pdp.config.config.routes.map((r) => r.path);
}, 240_000);
afterAll(async () => {
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  await issuers.close();
});

const user = (name: string, groups: string[]) => mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user: name, groups });
const device = (name: string, state: "patched" | "unpatched" = "patched") =>
  mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user: name, state });

describe("the generated template with ZTPDP_AUTHORIZER_TTL=300", () => {
  it("REST REQUEST: the cache key holds every decision input API Gateway can key on", () => {
    const rest = resources.RestAuthorizerApiGatewayAuthorizer!.Properties;
    expect(rest.AuthorizerResultTtlInSeconds).toBe(300);
    expect((rest.IdentitySource as string).split(", ")).toEqual([
      "method.request.header.Authorization",
      "method.request.header.X-Device-Token",
      "context.httpMethod",
      "context.resourcePath",
      "context.identity.sourceIp",
      "context.domainName",
      "context.identity.userAgent",
    ]);
  });

  it("HTTP API: the same inputs, with $context.routeKey for method and route (a simple `true` is per route)", () => {
    const http = resources.HttpApiAuthorizerHttpAuthorizer!.Properties;
    expect(http).toMatchObject({ AuthorizerResultTtlInSeconds: 300, EnableSimpleResponses: true });
    expect(http.IdentitySource).toEqual([
      "$request.header.Authorization",
      "$request.header.X-Device-Token",
      "$context.routeKey",
      "$context.identity.sourceIp",
      "$context.domainName",
      "$context.identity.userAgent",
    ]);
  });

  it("every authorizer's timeout holds the bundled config's decision budget with a margin", () => {
    const budget = loadConfig(join(ROOT, "config/pdp.yaml")).config.limits.decisionTimeoutMs;
    const authorizers = Object.entries(resources).filter(([name, r]) => r.Type === "AWS::Lambda::Function" && /Authorizer/.test(name));
    expect(authorizers).toHaveLength(3);
    for (const [, fn] of authorizers) expect(fn.Properties.Timeout * 1000).toBeGreaterThanOrEqual(budget + 1000);
  });

  it("the TOKEN authorizer stays uncached, and a TTL for it is refused at package time with the reason", () => {
    expect(resources.TokenAuthorizerApiGatewayAuthorizer!.Properties.AuthorizerResultTtlInSeconds).toBe(0);
    expect(tokenRefusal).toMatch(/ZTPDP_TOKEN_AUTHORIZER_TTL=300 is refused: API Gateway keys a TOKEN authorizer's cache on the token alone/);
  });
});

// HR reads HR records from a compliant, patched device with MFA, from inside the perimeter.
const INSIDE = "10.1.2.3";
const OUTSIDE = "203.0.113.7";

// Minted once: the base request and each variant carry the same tokens unless the token is the input changed.
let hana: { user: string; device: string };
beforeAll(() => {
  hana = { user: user("hana", ["Employees", "HR"]), device: device("hana") };
});

type RestEvent = Record<string, any>;
const restBase = (): RestEvent =>
  restRequestEvent({
    resource: "/hr/records/{employeeId}",
    path: "/hr/records/e-42",
    pathParameters: { employeeId: "e-42" },
    headers: { Authorization: `Bearer ${hana.user}`, "X-Device-Token": hana.device },
    sourceIp: INSIDE,
  });

/** API Gateway fills `headers` and `multiValueHeaders` from the same request: change both. */
function setHeader(e: RestEvent, name: string, value: string): void {
  e.headers[name] = value;
  e.multiValueHeaders[name] = [value];
}

/** Rebuild a REST event for another method/route, keeping everything else. */
function restRoute(e: RestEvent, method: string, resource: string, path: string): void {
  const fresh = restRequestEvent({ method, resource, path, pathParameters: {} });
  Object.assign(e, { methodArn: fresh.methodArn, resource, path, httpMethod: method, pathParameters: fresh.pathParameters, requestContext: { ...e.requestContext, httpMethod: method, resourcePath: resource } });
}

/** Each decision input, changed alone. `decides`: whether the change alone changes the decision (a deny). */
const restVariants: { input: string; decides: boolean; change: (e: RestEvent) => void }[] = [
  { input: "user token (another user, not in HR)", decides: true, change: (e) => setHeader(e, "Authorization", `Bearer ${user("bob", ["Employees"])}`) },
  { input: "device token (unpatched)", decides: true, change: (e) => setHeader(e, "X-Device-Token", device("hana", "unpatched")) },
  { input: "method (POST: a write)", decides: true, change: (e) => restRoute(e, "POST", "/hr/records/{employeeId}", "/hr/records/e-42") },
  { input: "route (payments)", decides: true, change: (e) => restRoute(e, "GET", "/payments/charges", "/payments/charges") },
  { input: "route (the wiki, which allows)", decides: false, change: (e) => restRoute(e, "GET", "/wiki/{page}", "/wiki/home") },
  { input: "source IP (outside the perimeter)", decides: true, change: (e) => (e.requestContext.identity.sourceIp = OUTSIDE) },
  { input: "domain name", decides: false, change: (e) => (e.requestContext.domainName = "api.example.com") },
  { input: "user agent", decides: false, change: (e) => (e.requestContext.identity.userAgent = "Mozilla/5.0") },
  { input: "path parameter value (same route)", decides: false, change: (e) => restRoute(e, "GET", "/hr/records/{employeeId}", "/hr/records/e-99") },
];

async function restOutcome(event: RestEvent): Promise<"allow" | "deny" | "401"> {
  try {
    const res = await authorizeRestRequest(pdp, event, catalog);
    return res.policyDocument.Statement.some((s) => s.Effect === "Deny" && s.Resource === event.methodArn) ? "deny" : canExecute(res.policyDocument, event.methodArn) ? "allow" : "deny";
  } catch {
    return "401";
  }
}

describe("REST: a cached result is reused only where a fresh decision says the same", () => {
  it.each(restVariants)("$input", async ({ decides, change }) => {
    const identitySource = resources.RestAuthorizerApiGatewayAuthorizer!.Properties.IdentitySource as string;
    const base = restBase();
    const cached = await authorizeRestRequest(pdp, base, catalog);
    expect(canExecute(cached.policyDocument, base.methodArn), "control: the base request is allowed").toBe(true);

    const variant = restBase();
    change(variant);
    const fresh = await restOutcome(variant);
    expect(fresh === "allow", "control: whether this input alone changes the decision").toBe(!decides);

    const key = restCacheKey(identitySource, variant);
    if (key !== null && key === restCacheKey(identitySource, base)) {
      // API Gateway would not call the authorizer: the cached policy decides.
      expect(canExecute(cached.policyDocument, variant.methodArn) ? "allow" : "deny").toBe(fresh);
    }
  });
});

type HttpEvent = Record<string, any>;
const httpBase = (): HttpEvent =>
  httpApiEvent({ routeKey: "GET /hr/records/{employeeId}", headers: { authorization: `Bearer ${hana.user}`, "x-device-token": hana.device }, sourceIp: INSIDE });

const httpRoute = (e: HttpEvent, routeKey: string) => {
  e.routeKey = routeKey;
  e.requestContext.routeKey = routeKey;
  e.requestContext.http.method = routeKey.split(" ")[0];
};

const httpVariants: { input: string; decides: boolean; change: (e: HttpEvent) => void }[] = [
  { input: "user token (another user, not in HR)", decides: true, change: (e) => (e.headers.authorization = `Bearer ${user("bob", ["Employees"])}`) },
  { input: "device token (unpatched)", decides: true, change: (e) => (e.headers["x-device-token"] = device("hana", "unpatched")) },
  { input: "method (POST: a write)", decides: true, change: (e) => httpRoute(e, "POST /hr/records/{employeeId}") },
  { input: "route (payments)", decides: true, change: (e) => httpRoute(e, "POST /payments/charges") },
  { input: "source IP (outside the perimeter)", decides: true, change: (e) => (e.requestContext.http.sourceIp = OUTSIDE) },
  { input: "domain name", decides: false, change: (e) => (e.requestContext.domainName = "api.example.com") },
  { input: "user agent", decides: false, change: (e) => (e.requestContext.http.userAgent = "Mozilla/5.0") },
];

describe("HTTP API: a cached simple response is reused only where a fresh decision says the same", () => {
  it.each(httpVariants)("$input", async ({ decides, change }) => {
    const identitySource = resources.HttpApiAuthorizerHttpAuthorizer!.Properties.IdentitySource as string[];
    const base = httpBase();
    const cached = await authorizeHttpApi(pdp, base);
    expect(cached.isAuthorized, "control: the base request is allowed").toBe(true);

    const variant = httpBase();
    change(variant);
    const fresh = await authorizeHttpApi(pdp, variant);
    expect(fresh.isAuthorized, "control: whether this input alone changes the decision").toBe(!decides);

    const key = httpCacheKey(identitySource, variant);
    if (key !== null && key === httpCacheKey(identitySource, base)) expect(cached.isAuthorized).toBe(fresh.isAuthorized);
  });
});

describe("a private REST API: the VPC endpoint is in the key too", () => {
  it("changing only the VPC endpoint never reuses the allow made through the perimeter endpoint", async () => {
    const { authorizerCache } = createRequire(import.meta.url)(join(ROOT, "scripts/authorizer-cache.cjs")) as {
      authorizerCache: { rest(ttl: number, endpointType: string): { identitySource: string } };
    };
    const { identitySource } = authorizerCache.rest(300, "PRIVATE");
    const viaEndpoint = (vpceId: string) => {
      const e = restBase();
      e.requestContext.identity.sourceIp = OUTSIDE;
      e.requestContext.identity.vpceId = vpceId;
      return e;
    };
    const base = viaEndpoint("vpce-0a1b2c3d4e5f60718");
    const cached = await authorizeRestRequest(pdp, base, catalog);
    expect(canExecute(cached.policyDocument, base.methodArn)).toBe(true);
    const variant = viaEndpoint("vpce-0ffffffffffffffff");
    expect(await restOutcome(variant)).toBe("deny");
    expect(restCacheKey(identitySource, variant)).not.toBe(restCacheKey(identitySource, base));
    // Without it (a regional API's key), the same requests would share the entry.
    const { identitySource: regional } = authorizerCache.rest(300, "REGIONAL");
    expect(restCacheKey(regional, variant)).toBe(restCacheKey(regional, base));
  });
});
