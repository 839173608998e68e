import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mintDeviceToken, mintUserToken } from "../../src/dev/mint.js";
import { restRequestEvent, tokenEvent } from "../adapters/apigateway/events.js";
import { captureOutput, lambdaContext, loadBundle, type Handler, type StdoutCapture } from "../support/bundles.js";
import { startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

// Through the built bundles (dist/*/index.mjs) with the middy + Powertools chain: the audit record and
// the metrics describe what API Gateway got, whatever the path held, and whatever failed after the
// decision. Each case also counts the records: exactly one per invocation.

let issuers: LocalIssuers;
let out: StdoutCapture;
let rest: Handler;
let token: Handler;
const ctx = lambdaContext();

beforeAll(async () => {
  // The review's overlapping catalog: a public `{param}` route listed before a restricted literal one.
  issuers = await startLocalIssuers((doc) => {
    const routes = doc.routes as { path: string }[];
    routes.push(
      { path: "/status/{component}", application: "status", classification: "public" } as never,
      { path: "/status/admin", application: "status", classification: "restricted" } as never,
    );
  });
  out = captureOutput();
  rest = await loadBundle("rest-authorizer", { ZTPDP_CONFIG: issuers.configPath });
  token = await loadBundle("token-authorizer", { ZTPDP_CONFIG: issuers.configPath });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await issuers.close();
});

const userToken = (user = "alice") => mintUserToken(issuers.keys.idp, { issuer: issuers.issuer, audience: issuers.audience, user, groups: ["Employees"] });
const deviceToken = (user = "alice") =>
  mintDeviceToken(issuers.keys.mdm, { provider: "jamf", issuer: issuers.providerIssuer("jamf"), audience: "zt-pdp-device", user, state: "patched" });

type Iam = { principalId: string; policyDocument: { Statement: { Effect: string; Resource: string }[] }; context: Record<string, string> };

/** Invoke, then return the response (or the error) with the one audit record and the metrics of this invocation. */
async function invoke(handler: Handler, event: unknown) {
  out.clear();
  let response: Iam | undefined;
  let error: Error | undefined;
  try {
    response = (await handler(event, ctx)) as Iam;
  } catch (err) {
    error = err as Error;
  }
  const audits = out.audits();
  expect(audits, "exactly one audit record per invocation").toHaveLength(1);
  const metrics = out.metrics();
  expect(metrics).toHaveLength(1);
  return { response, error, record: audits[0] as Record<string, any>, metrics: metrics[0]!, lines: out.lines() };
}

describe("a colon in the request path", () => {
  it("REST REQUEST: /wiki/2021-08-01T00:00:00Z is allowed, recorded as allow and counted as Allow", async () => {
    const r = await invoke(
      rest,
      restRequestEvent({ path: "/wiki/2021-08-01T00:00:00Z", pathParameters: { page: "2021-08-01T00:00:00Z" }, headers: { Authorization: `Bearer ${userToken()}`, "X-Device-Token": deviceToken() } }),
    );
    expect(r.error).toBeUndefined();
    expect(r.response!.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow" });
    expect(r.record).toMatchObject({ outcome: "allow", effect: "allow" });
    expect(r.metrics).toHaveProperty("Allow", 1);
    expect(r.metrics).not.toHaveProperty("Error");
  });

  it.each(["/status/db:primary", "/status/caf%C3%A9", "/status/café", "/status/a:b:c:d:e:f"])(
    "TOKEN: %s is decided on its route with the verified token (not a 401 token_missing)",
    async (path) => {
      const r = await invoke(token, tokenEvent(`Bearer ${userToken()}`, "GET", path));
      expect(r.error).toBeUndefined();
      expect(r.response!.policyDocument.Statement[0]).toMatchObject({ Effect: "Allow" });
      expect(r.record).toMatchObject({ outcome: "allow", principal: { type: "User", id: "alice" }, resource: { id: "/status/{component}" } });
    },
  );
});

describe("an event without a usable method ARN is unparseable, not a fault after the decision", () => {
  it("valid tokens, but a methodArn the response cannot be scoped to: 401, recorded once as unauthenticated, never allow nor a 500", async () => {
    const event = { ...restRequestEvent({ headers: { Authorization: `Bearer ${userToken()}`, "X-Device-Token": deviceToken() } }), methodArn: "arn:aws:execute-api:eu-west-1:123456789012" };
    const r = await invoke(rest, event);
    expect(r.response).toBeUndefined();
    expect(r.error?.message).toBe("Unauthorized");
    expect(r.record).toMatchObject({ outcome: "unauthenticated", effect: "deny" });
    expect(r.metrics).toHaveProperty("Unauthenticated", 1);
    expect(r.metrics).not.toHaveProperty("Allow");
  });
});

describe("TOKEN route matching follows API Gateway's precedence", () => {
  it("GET /status/admin is decided on the literal /status/admin (restricted), not on /status/{component} listed first", async () => {
    const r = await invoke(token, tokenEvent(`Bearer ${userToken()}`, "GET", "/status/admin"));
    expect(r.response!.policyDocument.Statement[0]).toMatchObject({ Effect: "Deny" });
    expect(r.record).toMatchObject({ outcome: "deny", resource: { id: "/status/admin", classification: "restricted" } });
  });

  it("control: another component is decided on /status/{component}", async () => {
    const r = await invoke(token, tokenEvent(`Bearer ${userToken()}`, "GET", "/status/db"));
    expect(r.record).toMatchObject({ outcome: "allow", resource: { id: "/status/{component}" } });
  });
});

describe("the audit record tells the whole truth", () => {
  it("two device-token headers are recorded as device_token_duplicated, not as a missing token", async () => {
    const user = userToken();
    const r = await invoke(rest, restRequestEvent({ multiValueHeaders: { Authorization: [`Bearer ${user}`], "X-Device-Token": [deviceToken(), deviceToken()] } }));
    expect(r.response!.policyDocument.Statement[0]).toMatchObject({ Effect: "Deny" });
    expect(r.record.device).toMatchObject({ verified: false, untrustedReason: "device_token_duplicated" });
  });

  it("identity.issuer is only a configured issuer name; an unconfigured `iss` is recorded as claimedIssuer", async () => {
    const foreign = mintUserToken(issuers.keys.idp, { issuer: "https://idp.attacker.example", audience: issuers.audience, user: "alice", groups: [] });
    const r = await invoke(rest, restRequestEvent({ headers: { Authorization: `Bearer ${foreign}` } }));
    expect(r.error?.message).toBe("Unauthorized");
    expect(r.record.identity).toMatchObject({ claimedIssuer: "https://idp.attacker.example" });
    expect(r.record.identity).not.toHaveProperty("issuer");
    const ok = await invoke(token, tokenEvent(`Bearer ${userToken()}`, "GET", "/status"));
    expect(ok.record.identity).toMatchObject({ issuer: "dev-idp" });
    expect(ok.record.identity).not.toHaveProperty("claimedIssuer");
  });

  it("the IAM principalId and the integration context carry escaped strings, like the record (no raw bidi or line separators)", async () => {
    const r = await invoke(token, tokenEvent(`Bearer ${userToken("alice\u202Egnp.exe\u2028x")}`, "GET", "/status"));
    const res = r.response!;
    for (const value of [res.principalId, res.context.principalId]) {
      expect(value).toBe("User::alice\\u{202e}gnp.exe\\u{2028}x");
      expect(value).not.toMatch(/[\u202E\u2028]/);
    }
    expect(r.record.principal).toEqual({ type: "User", id: "alice\\u{202e}gnp.exe\\u{2028}x" });
  });

  it("context.network.host is API Gateway's domain name for the request, never the client's Host header", async () => {
    const r = await invoke(
      rest,
      restRequestEvent({ headers: { Authorization: `Bearer ${userToken()}`, "X-Device-Token": deviceToken(), Host: "intranet.attacker.example" } }),
    );
    expect(r.record.request).toMatchObject({ host: "abcdef1234.execute-api.eu-west-1.amazonaws.com" });
  });
});
