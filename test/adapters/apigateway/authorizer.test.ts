import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authorizeHttpApi,
  authorizeRestRequest,
  authorizeRestToken,
  AuthorizerFaultError,
} from "../../../src/adapters/apigateway/authorizer.js";
import { MemoryAuditSink } from "../../../src/audit/sink.js";
import { mintDeviceToken, mintUserToken, mintServiceToken } from "../../../src/dev/mint.js";
import { tokenFingerprint } from "../../../src/identity/fingerprint.js";
import { createPdp, type Pdp } from "../../../src/pdp.js";
import { startLocalIssuers, writeLocalConfig, type LocalIssuers } from "../../support/local-config.js";
import { httpApiEvent, METHOD_ARN_PREFIX, offlineRestRequestEvent, restRequestEvent, tokenEvent } from "./events.js";

// The adapters in process, on a real PDP: real keys, real JWKS over loopback, the bundled policies.

let issuers: LocalIssuers;
let pdp: Pdp;
const audit = new MemoryAuditSink();
const routes = () => pdp.config.config.routes.map((r) => r.path);

beforeAll(async () => {
  issuers = await startLocalIssuers();
  pdp = await createPdp({ config: issuers.loaded, audit });
});
afterAll(async () => issuers.close());

const userToken = (user = "alice", groups = ["Employees"]) =>
  mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user, groups });
const deviceToken = (user = "alice", state: "patched" | "unpatched" = "patched") =>
  mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user, state });
const recordOf = (token: string) => audit.records.filter((r) => r.identity.tokenFingerprint === tokenFingerprint(token));

describe("REST REQUEST authorizer", () => {
  it("allows with an IAM policy scoped to the decided method and route template, and flat string context", async () => {
    const token = userToken();
    const res = await authorizeRestRequest(pdp, restRequestEvent({ headers: { Authorization: `Bearer ${token}`, "X-Device-Token": deviceToken() } }));
    expect(res.principalId).toBe("User::alice");
    expect(res.policyDocument.Statement).toEqual([
      { Action: "execute-api:Invoke", Effect: "Allow", Resource: `${METHOD_ARN_PREFIX}/GET/wiki/*` },
      // `*` spans `/`: the Deny keeps the allow to one non-empty segment (src/adapters/apigateway/allow-policy.ts).
      { Action: "execute-api:Invoke", Effect: "Deny", Resource: [`${METHOD_ARN_PREFIX}/GET/*/*/*`, `${METHOD_ARN_PREFIX}/GET/wiki/`] },
    ]);
    expect(Object.keys(res.context).sort()).toEqual(["decisionId", "policyRevision", "principalId"]);
    for (const value of Object.values(res.context)) expect(typeof value).toBe("string");
    expect(recordOf(token)).toHaveLength(1);
    expect(res.context.decisionId).toBe(recordOf(token)[0]!.decisionId);
  });

  it("accepts serverless-offline's event variant (null maps, no identity block)", async () => {
    const token = userToken();
    const res = await authorizeRestRequest(pdp, offlineRestRequestEvent({ authorization: `Bearer ${token}`, "x-device-token": deviceToken() }));
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
  });

  it("answers a policy deny with an explicit Deny on the called method ARN (403)", async () => {
    const token = userToken("bob", ["Contractors"]);
    const event = restRequestEvent({ headers: { authorization: `Bearer ${token}`, "x-device-token": deviceToken("bob") } });
    const res = await authorizeRestRequest(pdp, event);
    expect(res.policyDocument.Statement).toEqual([{ Action: "execute-api:Invoke", Effect: "Deny", Resource: event.methodArn }]);
    expect(recordOf(token)[0]).toMatchObject({ outcome: "deny" });
  });

  it("accepts the bearer scheme in any case", async () => {
    const res = await authorizeRestRequest(pdp, restRequestEvent({ headers: { AUTHORIZATION: `bEaReR ${userToken()}`, "x-device-token": deviceToken() } }));
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Allow");
  });

  it.each([
    ["two Authorization headers", { multiValueHeaders: { Authorization: ["Bearer a.b.c", "Bearer d.e.f"] } }],
    ["a Basic scheme", { headers: { Authorization: "Basic YWxpY2U6cGFzcw==" } }],
    ["an empty header", { headers: { Authorization: "" } }],
    ["no header at all", { headers: {} }],
  ])("throws Unauthorized (401) for %s, and audits it", async (_name, shape) => {
    const before = audit.records.length;
    await expect(authorizeRestRequest(pdp, restRequestEvent(shape))).rejects.toThrow(/^Unauthorized$/);
    expect(audit.records.length).toBe(before + 1);
    expect(audit.last()).toMatchObject({ outcome: "unauthenticated" });
  });

  it.each([null, "a string", 42, {}, { type: "REQUEST" }, { type: "TOKEN", methodArn: "x" }])(
    "answers an event it cannot parse (%j) with 401, never a 500, and audits it",
    async (event) => {
      const before = audit.records.length;
      await expect(authorizeRestRequest(pdp, event)).rejects.toThrow(/^Unauthorized$/);
      expect(audit.records.length).toBe(before + 1);
    },
  );

  it("builds the resource from the route template, never from a crafted path", async () => {
    const token = userToken();
    const event = restRequestEvent({
      path: "/wiki/..%2Fhr%2Frecords%2F1",
      pathParameters: { page: "../hr/records/1" },
      headers: { authorization: `Bearer ${token}`, "x-device-token": deviceToken() },
    });
    await authorizeRestRequest(pdp, event);
    expect(recordOf(token)[0]!.resource).toMatchObject({ application: "wiki", classification: "internal" });
  });

  it("does not read the device token from a duplicated header (neither copy is trusted)", async () => {
    const token = userToken();
    const res = await authorizeRestRequest(
      pdp,
      restRequestEvent({ multiValueHeaders: { authorization: [`Bearer ${token}`], "x-device-token": [deviceToken(), deviceToken()] } }),
    );
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Deny");
    expect(recordOf(token)[0]!.device.verified).toBe(false);
  });
});

describe("REST TOKEN authorizer", () => {
  it("matches the route from the method ARN and allows the public status page", async () => {
    const token = userToken("bob", ["Contractors"]);
    const res = await authorizeRestToken(pdp, tokenEvent(`Bearer ${token}`), routes());
    expect(res.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow", Resource: `${METHOD_ARN_PREFIX}/GET/status` });
  });

  it("denies routes that need device posture, which a TOKEN authorizer never has", async () => {
    const token = userToken();
    const res = await authorizeRestToken(pdp, tokenEvent(`Bearer ${token}`, "GET", "/wiki/home"), routes());
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Deny");
    expect(recordOf(token)[0]!.device.verified).toBe(false);
  });

  it("decides an encoded traversal path on the route API Gateway routes it to (one segment), never on the route it names", async () => {
    const token = userToken();
    const res = await authorizeRestToken(pdp, tokenEvent(`Bearer ${token}`, "GET", "/wiki/..%2Fstatus"), routes());
    expect(res.policyDocument.Statement[0]!.Effect).toBe("Deny");
    expect(recordOf(token)[0]!.resource).toMatchObject({ id: "/wiki/{page}", application: "wiki" });
  });

  it("never lets a dot-only or empty segment select a parameterised route", async () => {
    // `//status` was decided as `/status` (found by the fuzzer): an empty segment never disappears.
    for (const path of ["/wiki/..", "/wiki/.", "/wiki/", "//status", "/status/", "//wiki/home"]) {
      const token = userToken();
      await authorizeRestToken(pdp, tokenEvent(`Bearer ${token}`, "GET", path), routes());
      expect(recordOf(token)[0]!.errors.map((e) => e.code)).toContain("route_unknown");
    }
  });

  it("throws Unauthorized without a token or with a malformed one", async () => {
    await expect(authorizeRestToken(pdp, tokenEvent(undefined), routes())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorizeRestToken(pdp, tokenEvent("Bearer not-a-jwt"), routes())).rejects.toThrow(/^Unauthorized$/);
  });
});

describe("HTTP API authorizer (simple responses)", () => {
  it("allows and denies with isAuthorized and flat context", async () => {
    const allowed = await authorizeHttpApi(pdp, httpApiEvent({ headers: { authorization: `Bearer ${userToken()}`, "x-device-token": deviceToken() } }));
    expect(allowed.isAuthorized).toBe(true);
    expect(allowed.context.principalId).toBe("User::alice");
    const denied = await authorizeHttpApi(pdp, httpApiEvent({ headers: { authorization: `Bearer ${userToken()}`, "x-device-token": deviceToken("alice", "unpatched") } }));
    expect(denied.isAuthorized).toBe(false);
  });

  it("answers comma-joined duplicate Authorization headers with isAuthorized false, audited as unauthenticated", async () => {
    const before = audit.records.length;
    const res = await authorizeHttpApi(pdp, httpApiEvent({ headers: { authorization: `Bearer ${userToken()},Bearer ${userToken("eve")}` } }));
    expect(res.isAuthorized).toBe(false);
    expect(audit.records.length).toBe(before + 1);
    expect(audit.last()!.outcome).toBe("unauthenticated");
  });

  it("lets the Order service through on payments", async () => {
    const token = mintServiceToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, clientId: "order-service" });
    const res = await authorizeHttpApi(pdp, httpApiEvent({ routeKey: "POST /payments/charges", headers: { authorization: `Bearer ${token}` } }));
    expect(res.isAuthorized).toBe(true);
  });
});

describe("server faults", () => {
  it("raises a fault (5xx), not a 401 and never an allow, when the issuer's keys cannot be fetched", async () => {
    // A config whose JWKS endpoint is a closed loopback port: nothing cached, nothing fetchable.
    const { loaded, cleanup } = writeLocalConfig("http://127.0.0.1:9");
    const faulty = await createPdp({ config: loaded, audit, hydrate: false });
    const token = mintUserToken(issuers.keys.idp, { issuer: "http://127.0.0.1:9/idp", audience: issuers.audience, user: "alice", groups: ["Employees"] });
    await expect(authorizeRestRequest(faulty, restRequestEvent({ headers: { authorization: `Bearer ${token}` } }))).rejects.toThrow(AuthorizerFaultError);
    await expect(authorizeHttpApi(faulty, httpApiEvent({ headers: { authorization: `Bearer ${token}` } }))).rejects.toThrow(AuthorizerFaultError);
    expect(recordOf(token).map((r) => r.outcome)).toEqual(["error", "error"]);
    cleanup();
  });
});

describe("composition root", () => {
  it("never falls back to local policies on a Verified Permissions config: with the store unreachable, an allowed request is a fault", async () => {
    const { loaded, cleanup } = writeLocalConfig(issuers.issuer.replace("/idp", ""), (doc) => {
      // A closed loopback port: the store cannot be reached (no network is used).
      const dir = (doc.policy as { dir: string }).dir; // the local policies' schema: what the remote engine checks requests against
      doc.policy = { engine: "verified-permissions", policyStoreId: "ps-123", region: "eu-west-1", endpoint: "http://127.0.0.1:9", dir, timeoutMs: 500, initTimeoutMs: 500 };
    });
    const env = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "test", AWS_EC2_METADATA_DISABLED: "true" });
    try {
      const remote = await createPdp({ config: loaded, audit, hydrate: false });
      expect(remote.engine.name).toBe("verified-permissions");
      const token = userToken();
      const event = restRequestEvent({ headers: { authorization: `Bearer ${token}`, "X-Device-Token": deviceToken() } });
      await expect(authorizeRestRequest(remote, event)).rejects.toThrow(AuthorizerFaultError);
      expect(recordOf(token)).toMatchObject([{ outcome: "error", engine: "verified-permissions", errors: [{ code: "engine_unavailable" }] }]);
    } finally {
      process.env = env;
      cleanup();
    }
  });
});
