import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/record.js";
import { mintDeviceToken, mintServiceToken, mintUserToken, signJws, type DevProvider, type DeviceState } from "../../src/dev/mint.js";
import { tokenFingerprint } from "../../src/identity/fingerprint.js";
import { ROOT } from "../support/local-config.js";
import { METHOD_ARN_PREFIX, restRequestEvent } from "../adapters/apigateway/events.js";
import { startE2eStack, type E2eStack } from "./stack.js";

// End to end: real HTTP requests to serverless-offline's API Gateway emulation, which invokes the built
// authorizer bundles, which verify real JWTs against a real JWKS on loopback and evaluate the bundled
// Cedar policies. Every request that reaches an authorizer must leave exactly its audit record.

let stack: E2eStack;
beforeAll(async () => {
  stack = await startE2eStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
});

const user = (name: string, groups: string[], extra: { mfa?: boolean; nowSeconds?: number } = {}) =>
  mintUserToken(stack.keys.idp, { issuer: stack.issuer, audience: stack.audience, user: name, groups, ...extra });
const device = (name: string, state: DeviceState, provider: DevProvider = "jamf") =>
  mintDeviceToken(stack.keys.mdm, { provider, issuer: stack.providerIssuer(provider), audience: "zt-pdp-device", user: name, state });
const service = (clientId: string) => mintServiceToken(stack.keys.idp, { issuer: stack.issuer, audience: stack.audience, clientId });

async function call(base: "rest" | "http", method: string, path: string, headers: Record<string, string>) {
  const url = `${base === "rest" ? stack.restUrl : stack.httpUrl}${path}`;
  const res = await fetch(url, { method, headers });
  return { status: res.status, body: await res.text() };
}

const bearer = (token: string, deviceToken?: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  ...(deviceToken ? { "x-device-token": deviceToken } : {}),
});

/** The audit record of the request that carried `token` (matched by its fingerprint, never by the token). */
const auditOf = (token: string) => stack.waitForAudit((r) => r.identity.tokenFingerprint === tokenFingerprint(token));

describe("REST API, REQUEST authorizer", () => {
  it("allows an Employee on a patched, managed device: 200, and the integration sees the decision context", async () => {
    const token = user("alice", ["Employees"]);
    const res = await call("rest", "GET", "/wiki/home", bearer(token, device("alice", "patched")));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as Record<string, string>;
    expect(body.principal).toBe("User::alice");
    const audit = await auditOf(token);
    expect(audit).toMatchObject({ outcome: "allow", determiningPolicies: ["wiki-employees-read"], action: "GET" });
    expect(body.decisionId).toBe(audit.decisionId);
    expect(body.policyRevision).toBe(audit.policyRevision);
  });

  it.each(["crowdstrike", "jumpcloud", "generic-mdm"] as const)("allows with a patched device from %s too", async (provider) => {
    const token = user("alice", ["Employees"]);
    const res = await call("rest", "GET", "/wiki/home", bearer(token, device("alice", "patched", provider)));
    expect(res.status).toBe(200);
    expect((await auditOf(token)).device).toMatchObject({ verified: true, provider, patched: true });
  });

  it("denies an unpatched OS: 403, audited as a policy deny", async () => {
    const token = user("alice", ["Employees"]);
    const res = await call("rest", "GET", "/wiki/home", bearer(token, device("alice", "unpatched")));
    expect(res.status).toBe(403);
    const audit = await auditOf(token);
    expect(audit).toMatchObject({ outcome: "deny", device: { verified: true, patched: false } });
  });

  it("denies without a device token: 403 (least-trusted posture), not 401", async () => {
    const token = user("alice", ["Employees"]);
    const res = await call("rest", "GET", "/wiki/home", bearer(token));
    expect(res.status).toBe(403);
    expect((await auditOf(token)).device).toMatchObject({ verified: false, untrustedReason: "device_token_missing" });
  });

  it("denies the wrong group: 403", async () => {
    const token = user("bob", ["Contractors"]);
    const res = await call("rest", "GET", "/wiki/home", bearer(token, device("bob", "patched")));
    expect(res.status).toBe(403);
    expect(await auditOf(token)).toMatchObject({ outcome: "deny", groups: ["Contractors"] });
  });

  it("denies restricted data from outside the data perimeter: 403 by the perimeter forbid", async () => {
    // hana satisfies hr-read (HR, compliant patched device, MFA); only the network is wrong.
    const token = user("hana", ["Employees", "HR"]);
    const res = await call("rest", "GET", "/hr/records/e-42", bearer(token, device("hana", "patched", "crowdstrike")));
    expect(res.status).toBe(403);
    expect(await auditOf(token)).toMatchObject({ outcome: "deny", determiningPolicies: ["data-perimeter-restricted"] });
  });

  it("lets the Order service create charges, and denies any other service", async () => {
    const order = service("order-service");
    expect((await call("rest", "POST", "/payments/charges", bearer(order))).status).toBe(200);
    expect(await auditOf(order)).toMatchObject({ outcome: "allow", principal: { type: "Service", id: "order-service" } });

    const reporting = service("reporting-service");
    expect((await call("rest", "POST", "/payments/charges", bearer(reporting))).status).toBe(403);
    expect(await auditOf(reporting)).toMatchObject({ outcome: "deny", determiningPolicies: ["payments-only-order-service"] });
  });

  it("answers 401 without any token (API Gateway refuses before invoking the authorizer)", async () => {
    const before = stack.audits.length;
    const res = await call("rest", "GET", "/wiki/home", {});
    expect(res.status).toBe(401);
    // The gateway itself rejected it: no Lambda ran, so no decision record is expected (the access log has it).
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.audits.length).toBe(before);
  });

  it("answers 401 for a Basic scheme, and records why", async () => {
    const res = await call("rest", "GET", "/wiki/home", { authorization: "Basic YWxpY2U6c2VjcmV0" });
    expect(res.status).toBe(401);
    await stack.waitForAudit((r) => r.outcome === "unauthenticated" && r.errors.some((e) => e.code === "token_malformed"));
  });

  it("answers 401 for an expired token", async () => {
    const token = user("alice", ["Employees"], { nowSeconds: Math.floor(Date.now() / 1000) - 7200 });
    expect((await call("rest", "GET", "/wiki/home", bearer(token, device("alice", "patched")))).status).toBe(401);
    expect(await auditOf(token)).toMatchObject({ outcome: "unauthenticated", errors: [expect.objectContaining({ code: "token_expired" })] });
  });

  it("answers 401 for a token from an issuer the PDP does not trust (right claims, foreign key)", async () => {
    const foreign = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const token = signJws({ ...stack.keys.idp, kid: "attacker", privateKey: foreign }, { typ: "at+jwt" }, {
      iss: "https://idp.attacker.example",
      aud: stack.audience,
      sub: "alice",
      groups: ["Employees"],
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    expect((await call("rest", "GET", "/wiki/home", bearer(token))).status).toBe(401);
    expect(await auditOf(token)).toMatchObject({ outcome: "unauthenticated", errors: [expect.objectContaining({ code: "token_issuer_unknown" })] });
  });

  it("answers 401 for alg:none", async () => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const token = `${enc({ alg: "none", typ: "at+jwt" })}.${enc({ iss: stack.issuer, aud: stack.audience, sub: "alice", groups: ["Employees"], iat: now, exp: now + 600 })}.`;
    expect((await call("rest", "GET", "/wiki/home", bearer(token))).status).toBe(401);
    const audit = await auditOf(token);
    expect(audit.outcome).toBe("unauthenticated");
    expect(JSON.stringify(audit)).not.toContain(token);
  });

  it("ignores caller-supplied trust headers and method overrides", async () => {
    const token = user("bob", ["Contractors"]);
    const res = await call("rest", "GET", "/wiki/home", {
      ...bearer(token, device("bob", "patched")),
      "x-groups": "Employees",
      "x-user": "alice",
      "x-http-method-override": "DELETE",
    });
    expect(res.status).toBe(403);
    expect(await auditOf(token)).toMatchObject({ principal: { id: "bob" }, groups: ["Contractors"], request: { method: "GET" } });
  });
});

describe("REST API, TOKEN authorizer (bearer token only)", () => {
  it("allows the public status page to any verified caller, and refuses a bad token with 401", async () => {
    const token = user("bob", ["Contractors"]);
    expect((await call("rest", "GET", "/status", bearer(token))).status).toBe(200);
    expect(await auditOf(token)).toMatchObject({ outcome: "allow", determiningPolicies: ["status-read"], request: { route: "/status" } });

    const tampered = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect((await call("rest", "GET", "/status", bearer(tampered))).status).toBe(401);
    expect(await auditOf(tampered)).toMatchObject({ outcome: "unauthenticated" });
  });
});

describe("HTTP API (payload 2.0, simple responses)", () => {
  it("allows and denies like the REST API", async () => {
    const allowed = user("alice", ["Employees"]);
    expect((await call("http", "GET", "/wiki/home", bearer(allowed, device("alice", "patched")))).status).toBe(200);
    expect(await auditOf(allowed)).toMatchObject({ outcome: "allow" });

    const unpatched = user("alice", ["Employees"]);
    expect((await call("http", "GET", "/wiki/home", bearer(unpatched, device("alice", "unpatched")))).status).toBe(403);
    expect(await auditOf(unpatched)).toMatchObject({ outcome: "deny" });
  });

  it("answers an invalid token with 403 (a throwing HTTP API authorizer would be a 500), audited as unauthenticated", async () => {
    const expired = user("alice", ["Employees"], { nowSeconds: Math.floor(Date.now() / 1000) - 7200 });
    expect((await call("http", "GET", "/wiki/home", bearer(expired))).status).toBe(403);
    expect(await auditOf(expired)).toMatchObject({ outcome: "unauthenticated" });
  });

  it("answers 401 without a token", async () => {
    expect((await call("http", "GET", "/wiki/home", {})).status).toBe(401);
  });
});

describe("route caching", () => {
  // serverless-offline does not cache authorizer results, so the cache is replayed here: the deployed-like
  // authorizer is invoked through the Lambda Invoke API, and the IAM policy it returns for one route is
  // judged by API Gateway's policy matcher (serverless-offline's) against other routes, as a cache hit would be.
  it("a cached allow for one route cannot open another", async () => {
    const matcher = join(ROOT, "node_modules/serverless-offline/src/events/authCanExecuteResource.js");
    const canExecute = ((await import(pathToFileURL(matcher).href)) as { default: (p: unknown, arn: string) => boolean }).default;
    const token = user("alice", ["Employees"]);
    const event = restRequestEvent({ headers: { Authorization: `Bearer ${token}`, "X-Device-Token": device("alice", "patched") } });
    const res = await fetch(`${stack.lambdaUrl}/2015-03-31/functions/zt-pdp-dev-restAuthorizer/invocations`, { method: "POST", body: JSON.stringify(event) });
    expect(res.status).toBe(200);
    const { policyDocument } = (await res.json()) as { policyDocument: { Statement: { Effect: string }[] } };
    expect(policyDocument.Statement[0]!.Effect).toBe("Allow");
    expect(await auditOf(token)).toMatchObject({ outcome: "allow" });

    const arn = (method: string, path: string) => `${METHOD_ARN_PREFIX}/${method}${path}`;
    expect(canExecute(policyDocument, arn("GET", "/wiki/other-page"))).toBe(true); // what was decided
    expect(canExecute(policyDocument, arn("PUT", "/wiki/home"))).toBe(false);
    expect(canExecute(policyDocument, arn("GET", "/hr/records/e-42"))).toBe(false);
    expect(canExecute(policyDocument, arn("POST", "/payments/charges"))).toBe(false);
  });
});

describe("audit trail", () => {
  it("never contains a raw token", () => {
    const text = JSON.stringify(stack.audits satisfies AuditRecord[]);
    expect(stack.audits.length).toBeGreaterThan(10);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  });
});
