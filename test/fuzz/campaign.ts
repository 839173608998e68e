import { sign } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { vi } from "vitest";
import { mintDeviceToken, mintServiceToken, mintUserToken, signJws } from "../../src/dev/mint.js";
import { apiGatewayPolicyMatcher, type CanExecute } from "../support/api-gateway-cache.js";
import { captureOutput, lambdaContext, loadBundle, type Handler, type StdoutCapture } from "../support/bundles.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../support/local-config.js";
import {
  anyCase,
  authorizationArbitrary,
  deviceTokenArbitrary,
  ipArbitrary,
  junkString,
  methodArbitrary,
  methodArnArbitrary,
  routeTemplateArbitrary,
  tokenArbitrary,
  wrongShape,
  type TokenSet,
} from "./arbitraries.js";

/**
 * Property-based fuzzing of the three built authorizer bundles (dist/*\/index.mjs) with fast-check.
 * Invariants, for every generated input:
 *   1. client input never makes an authorizer throw, except REST's exact `Unauthorized` (the 401 signal);
 *   2. every invocation writes exactly one audit record, and its outcome is what the response says;
 *   3. nothing is allowed without an untouched valid token for a request the policies permit;
 *   4. no fragment of a token is ever printed (logs, metrics, audit records).
 * The policies are the fuzz's own (status: any verified caller reads it; wiki: Employees read it from a
 * verified, patched, managed device), so the oracle for 3 is exact and independent of policies/.
 */

export type Bundle = "rest-authorizer" | "token-authorizer" | "http-authorizer";
export const BUNDLES: readonly Bundle[] = ["rest-authorizer", "token-authorizer", "http-authorizer"];

const READ = new Set(["GET", "HEAD", "OPTIONS"]);

const FUZZ_POLICIES = `@id("fuzz-status-read")
permit (principal, action in Action::"read", resource == Route::"/status");

@id("fuzz-wiki-read")
permit (principal in Group::"Employees", action in Action::"read", resource in Application::"wiki")
when { context.device.verified && context.device.os.patched && context.device.managed };
`;

export interface Campaign {
  tokens: TokenSet;
  catalog: string[];
  handlers: Record<Bundle, Handler>;
  canExecute: CanExecute;
  output: StdoutCapture;
  close(): Promise<void>;
}

export async function startCampaign(): Promise<Campaign> {
  const policyDir = mkdtempSync(join(tmpdir(), "ztpdp-fuzz-policies-"));
  let issuers: LocalIssuers | undefined;
  try {
    issuers = await startLocalIssuers((doc) => {
      const policy = doc.policy as { dir: string };
      copyFileSync(join(policy.dir, "schema.cedarschema"), join(policyDir, "schema.cedarschema"));
      writeFileSync(join(policyDir, "fuzz.cedar"), FUZZ_POLICIES);
      policy.dir = policyDir;
      // Server-side time budgets far above what any input needs: a fault here would be the machine, not the input.
      doc.limits = { decisionTimeoutMs: 20_000 };
    });
    const is = issuers;
    const user = (name: string, groups: string[]) => mintUserToken(is.keys.idp, { issuer: is.issuer, audience: is.audience, user: name, groups, lifetimeSeconds: 86_000 });
    const device = (state: "patched" | "unpatched") =>
      mintDeviceToken(is.keys.mdm, { provider: "jamf", issuer: is.providerIssuer("jamf"), audience: "zt-pdp-device", user: "alice", state, lifetimeSeconds: 3000 });
    const tokens: TokenSet = {
      pristine: {
        alice: user("alice", ["Employees"]),
        bob: user("bob", ["Contractors"]),
        service: mintServiceToken(is.keys.idp, { issuer: is.issuer, audience: is.audience, clientId: "order-service", lifetimeSeconds: 86_000 }),
      },
      device: { patched: device("patched"), unpatched: device("unpatched") },
      signUserPayload: (raw) => signJwsRaw(is, raw),
    };
    const output = captureOutput();
    const env = { ZTPDP_CONFIG: is.configPath };
    const handlers = {
      "rest-authorizer": await loadBundle("rest-authorizer", env),
      "token-authorizer": await loadBundle("token-authorizer", env),
      "http-authorizer": await loadBundle("http-authorizer", env),
    };
    return {
      tokens,
      catalog: is.loaded.config.routes.map((r) => r.path),
      handlers,
      canExecute: await apiGatewayPolicyMatcher(),
      output,
      async close() {
        vi.restoreAllMocks();
        await is.close();
        rmSync(policyDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await issuers?.close();
    rmSync(policyDir, { recursive: true, force: true });
    throw err;
  }
}

/** A user token whose payload is exactly `raw` (odd JSON), signed with the real IdP key. */
function signJwsRaw(issuers: LocalIssuers, raw: string): string {
  const key = issuers.keys.idp;
  const header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ: "at+jwt" })).toString("base64url");
  const input = `${header}.${Buffer.from(raw).toString("base64url")}`;
  return `${input}.${sign("sha256", Buffer.from(input), key.privateKey).toString("base64url")}`;
}

// ---------------------------------------------------------------------------------------------------
// Events.

type Event = Record<string, any>;

/** What the oracle needs to know about one generated event, besides the event itself. */
interface Generated {
  event: unknown;
}

function restRequestEvents(c: Campaign): fc.Arbitrary<Generated> {
  const token = tokenArbitrary(c.tokens, aliceClaimsOf(c.tokens.pristine.alice));
  const shaped = fc
    .record({
      auth: fc.option(fc.array(authorizationArbitrary(token), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 6 }),
      authName: anyCase("authorization"),
      device: fc.option(fc.array(deviceTokenArbitrary(c.tokens), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 3 }),
      deviceName: anyCase("x-device-token"),
      // How headers reach the event: both maps agreeing, only one of them, or the two disagreeing.
      maps: fc.constantFrom("both", "both", "both", "single-only", "multi-only", "disagree", "null"),
      extra: fc.dictionary(fc.constantFrom("host", "x-user", "x-groups", "x-http-method-override", "x-forwarded-for", "user-agent"), junkString, { maxKeys: 3 }),
      method: methodArbitrary,
      resource: routeTemplateArbitrary(c.catalog),
      arn: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: methodArnArbitrary(methodArbitrary) }),
      sourceIp: fc.option(ipArbitrary, { nil: undefined }),
      vpceId: fc.option(junkString, { nil: undefined, freq: 4 }),
      domainName: fc.option(junkString, { nil: undefined }),
      userAgent: fc.option(junkString, { nil: undefined }),
      identityBlock: fc.boolean(),
    })
    .map((r): Generated => {
      const headers: Record<string, string> = { ...r.extra };
      const multi: Record<string, string[]> = Object.fromEntries(Object.entries(r.extra).map(([k, v]) => [k, [v]]));
      const put = (name: string, values: string[] | undefined) => {
        if (values === undefined) return;
        if (r.maps !== "multi-only") headers[name] = r.maps === "disagree" ? values.at(-1)! : values[0]!;
        if (r.maps !== "single-only") multi[name] = r.maps === "disagree" ? values.slice(0, 1) : values;
      };
      put(r.authName, r.auth);
      put(r.deviceName, r.device);
      const path = r.resource.replace(/\{[^}]*\}/g, "x");
      const event: Event = {
        type: "REQUEST",
        methodArn: r.arn ?? `arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/${r.method}${path}`,
        resource: r.resource,
        path,
        httpMethod: r.method,
        headers: r.maps === "null" ? null : headers,
        multiValueHeaders: r.maps === "null" ? null : multi,
        pathParameters: null,
        requestContext: {
          requestId: "fuzz",
          ...(r.domainName !== undefined ? { domainName: r.domainName } : {}),
          ...(r.identityBlock ? { identity: { sourceIp: r.sourceIp, vpceId: r.vpceId, userAgent: r.userAgent } } : {}),
        },
      };
      return { event };
    });
  return fc.oneof({ weight: 19, arbitrary: shaped }, { weight: 1, arbitrary: wrongShape.map((event) => ({ event })) });
}

function tokenEvents(c: Campaign): fc.Arbitrary<Generated> {
  const token = tokenArbitrary(c.tokens, aliceClaimsOf(c.tokens.pristine.alice));
  const shaped = fc
    .record({
      token: fc.option(authorizationArbitrary(token), { nil: undefined, freq: 8 }),
      arn: methodArnArbitrary(methodArbitrary),
    })
    .map(({ token: t, arn }): Generated => ({ event: { type: "TOKEN", methodArn: arn, ...(t === undefined ? {} : { authorizationToken: t }) } }));
  return fc.oneof({ weight: 19, arbitrary: shaped }, { weight: 1, arbitrary: wrongShape.map((event) => ({ event })) });
}

function httpEvents(c: Campaign): fc.Arbitrary<Generated> {
  const token = tokenArbitrary(c.tokens, aliceClaimsOf(c.tokens.pristine.alice));
  const shaped = fc
    .record({
      // v2 comma-joins duplicate headers.
      auth: fc.option(fc.array(authorizationArbitrary(token), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 6 }),
      authName: fc.oneof(fc.constant("authorization"), anyCase("authorization")),
      device: fc.option(fc.array(deviceTokenArbitrary(c.tokens), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 3 }),
      method: methodArbitrary,
      routeMethod: fc.option(methodArbitrary, { nil: undefined, freq: 4 }),
      template: routeTemplateArbitrary(c.catalog),
      sourceIp: fc.option(ipArbitrary, { nil: undefined }),
      userAgent: fc.option(junkString, { nil: undefined }),
      nullHeaders: fc.boolean(),
    })
    .map((r): Generated => {
      const headers: Record<string, string> = {};
      if (r.auth) headers[r.authName] = r.auth.join(",");
      if (r.device) headers["x-device-token"] = r.device.join(",");
      const routeKey = r.template === "" ? "$default" : `${r.routeMethod ?? r.method} ${r.template}`;
      return {
        event: {
          version: "2.0",
          type: "REQUEST",
          routeArn: `arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/${r.method}/x`,
          routeKey,
          headers: r.nullHeaders && !r.auth && !r.device ? null : headers,
          pathParameters: null,
          requestContext: { requestId: "fuzz", domainName: "abcdef1234.execute-api.eu-west-1.amazonaws.com", http: { method: r.method, sourceIp: r.sourceIp, userAgent: r.userAgent } },
        },
      };
    });
  return fc.oneof({ weight: 19, arbitrary: shaped }, { weight: 1, arbitrary: wrongShape.map((event) => ({ event })) });
}

function aliceClaimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
}

export const EVENTS: Record<Bundle, (c: Campaign) => fc.Arbitrary<Generated>> = {
  "rest-authorizer": restRequestEvents,
  "token-authorizer": tokenEvents,
  "http-authorizer": httpEvents,
};

// ---------------------------------------------------------------------------------------------------
// The oracle.

type Principal = "alice" | "bob" | "service";

/** Whose untouched valid token, if any, a header value carries exactly as `Bearer <token>` (any case of the scheme). */
function pristineIn(values: readonly string[], tokens: TokenSet): Principal | undefined {
  if (values.length !== 1) return undefined;
  for (const who of ["alice", "bob", "service"] as const) {
    const value = values[0]!;
    const token = tokens.pristine[who];
    if (value.length === token.length + 7 && value.slice(0, 7).toLowerCase() === "bearer " && value.slice(7) === token) return who;
  }
  return undefined;
}

function headerValuesOf(event: Event, name: string): string[] {
  const fromMulti = Object.entries((event.multiValueHeaders as Record<string, string[]> | null) ?? {}).filter(([k]) => k.toLowerCase() === name).flatMap(([, v]) => v);
  if (fromMulti.length > 0) return fromMulti;
  return Object.entries((event.headers as Record<string, string> | null) ?? {}).filter(([k]) => k.toLowerCase() === name).map(([, v]) => v);
}

/** The fuzz policies, written out: what may be allowed, given who and what. */
function permitted(who: Principal, method: string, route: string, patchedDevice: boolean): boolean {
  if (!READ.has(method)) return false;
  if (route === "/status") return true;
  return who === "alice" && (route === "/wiki" || route === "/wiki/{page}") && patchedDevice;
}

/** Why an allow was not allowed to happen (undefined: it was). */
function unjustifiedAllow(bundle: Bundle, event: Event, tokens: TokenSet): string | undefined {
  if (bundle === "token-authorizer") {
    const who = typeof event.authorizationToken === "string" ? pristineIn([event.authorizationToken], tokens) : undefined;
    if (!who) return "allowed without an untouched valid token";
    const m = /^arn:[^:]*:execute-api:[^:]*:[^:]*:[^/]+\/[^/]+\/([^/]+)\/(.*)$/s.exec(String(event.methodArn));
    if (!m || !permitted(who, m[1]!, `/${m[2]}`, false)) return "allowed a request the policies do not permit (TOKEN: no device)";
    return undefined;
  }
  if (bundle === "rest-authorizer") {
    const who = pristineIn(headerValuesOf(event, "authorization"), tokens);
    if (!who) return "allowed without an untouched valid token";
    const device = headerValuesOf(event, "x-device-token");
    const patched = device.length === 1 && device[0] === tokens.device.patched;
    return permitted(who, String(event.httpMethod), String(event.resource), patched) ? undefined : "allowed a request the policies do not permit";
  }
  const headers = Object.entries((event.headers as Record<string, string> | null) ?? {});
  const auth = headers.filter(([k]) => k.toLowerCase() === "authorization").map(([, v]) => v);
  const who = pristineIn(auth, tokens);
  if (!who) return "allowed without an untouched valid token";
  const device = headers.filter(([k]) => k.toLowerCase() === "x-device-token").map(([, v]) => v);
  const routeKey = String(event.routeKey);
  const route = routeKey.includes(" ") ? routeKey.slice(routeKey.indexOf(" ") + 1) : routeKey;
  const patched = device.length === 1 && device[0] === tokens.device.patched;
  return permitted(who, String(event.requestContext?.http?.method), route, patched) ? undefined : "allowed a request the policies do not permit";
}

/** Strings whose appearance in any output is a token leak: each token segment, and both of its ends. */
function secrets(tokens: TokenSet): string[] {
  const all = [tokens.pristine.alice, tokens.pristine.bob, tokens.pristine.service, tokens.device.patched, tokens.device.unpatched];
  return [...new Set(all.flatMap((t) => t.split(".").filter((p) => p.length >= 16).flatMap((p) => [p, p.slice(0, 16), p.slice(-16)])))];
}

/** One invocation, checked against every invariant. Throws (with the reason) when one is broken. */
export async function checkInvocation(c: Campaign, bundle: Bundle, generated: Generated, leaks = secrets(c.tokens)): Promise<void> {
  const event = generated.event as Event;
  c.output.clear();
  let response: unknown;
  let thrown: unknown;
  try {
    response = await c.handlers[bundle](event, lambdaContext(25_000));
  } catch (err) {
    thrown = err;
  }
  const text = c.output.text();
  c.output.clear();
  const records = text
    .split("\n")
    .filter((l) => l.startsWith("{") && l.includes('"message":"audit"'))
    .map((l) => (JSON.parse(l) as { audit: { outcome: string } }).audit);
  if (records.length !== 1) throw new Error(`${records.length} audit records for one invocation`);
  const outcome = records[0]!.outcome;

  let given: "allow" | "deny" | "unauthenticated";
  if (thrown !== undefined) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    if (bundle === "http-authorizer" || message !== "Unauthorized") throw new Error(`client input made the authorizer throw: ${message}`);
    given = "unauthenticated";
  } else if (bundle === "http-authorizer") {
    const r = response as { isAuthorized?: unknown };
    if (typeof r?.isAuthorized !== "boolean") throw new Error("HTTP API response without a boolean isAuthorized");
    given = r.isAuthorized ? "allow" : outcome === "unauthenticated" ? "unauthenticated" : "deny";
  } else {
    const statements = (response as { policyDocument?: { Statement?: { Effect: string }[] } })?.policyDocument?.Statement ?? [];
    given = statements.some((s) => s.Effect === "Allow") ? "allow" : "deny";
  }
  if (given !== outcome) throw new Error(`the response is ${given} but the audit record says ${outcome}`);
  if (given === "allow") {
    const why = unjustifiedAllow(bundle, event, c.tokens);
    if (why) throw new Error(why);
  }
  for (const secret of leaks) if (text.includes(secret)) throw new Error(`a token fragment was printed: ${secret.slice(0, 8)}…`);
}

export interface FuzzReport {
  bundle: Bundle;
  runs: number;
  failed: boolean;
  /** Where the shrunk failing input was written. */
  file?: string;
  message?: string;
}

/**
 * Runs `runs` generated inputs against one bundle. On a failure, fast-check shrinks the input to a
 * smallest one that still fails, and it is written (with the seed and path to replay it) to `reportDir`.
 */
export async function fuzzBundle(c: Campaign, bundle: Bundle, runs: number, reportDir: string, seed?: number): Promise<FuzzReport> {
  const leaks = secrets(c.tokens);
  const result = await fc.check(
    fc.asyncProperty(EVENTS[bundle](c), (generated) => checkInvocation(c, bundle, generated, leaks)),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }), endOnFailure: false },
  );
  if (!result.failed) return { bundle, runs: result.numRuns, failed: false };
  mkdirSync(reportDir, { recursive: true });
  const file = join(reportDir, `${bundle}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const message = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  writeFileSync(
    file,
    `${JSON.stringify({ bundle, message, seed: result.seed, path: result.counterexamplePath, runs: result.numRuns, shrinks: result.numShrinks, input: result.counterexample?.[0] }, replacer, 2)}\n`,
  );
  return { bundle, runs: result.numRuns, failed: true, file, message };
}

/** JSON for inputs fast-check generates (undefined, -0, big strings are kept as is). */
function replacer(_key: string, value: unknown): unknown {
  if (value === undefined) return "<undefined>";
  if (typeof value === "bigint") return `${value}n`;
  return value;
}

export const FUZZ_REPORT_DIR = join(ROOT, "fuzz-failures");
