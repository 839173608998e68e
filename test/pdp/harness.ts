import { createHash, randomUUID } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { parse as parseYaml } from "yaml";
import type { AuditRecord } from "../../src/audit/record.js";
import { MemoryAuditSink, type AuditSink } from "../../src/audit/sink.js";
import { parseConfig, type LoadedConfig } from "../../src/config/load.js";
import type { AccessRequest, Decision, Outcome, ReasonCode } from "../../src/decision/types.js";
import { createPdp, type Pdp } from "../../src/pdp.js";
import type { PolicyEngine } from "../../src/policy/engine.js";
import { testClock, type TestClock } from "../support/clock.js";
import { startJwksServer, type JwksServer } from "../support/jwks-server.js";
import { epochSeconds, signJwt, type SignJwtOptions } from "../support/jwt.js";
import { generateTestKey, jwksOf, type TestKey } from "../support/keys.js";

/**
 * The whole PDP, for threat tests: `createPdp` on a config derived from the shipped `config/pdp.yaml`
 * (same issuers, audiences, types, providers, bindings and routes), with the user IdP and the MDM on two
 * loopback JWKS servers, the reference policies, a `MemoryAuditSink` and a movable clock.
 *
 * Nothing below the composition root is faked: tokens are real JWS, keys come over HTTP, Cedar evaluates
 * the reference policies of test/fixtures/project.
 */

export const ROOT = resolve(import.meta.dirname, "../..");
/** The tests' own reference policies (test/fixtures/project), never the repository's policies/. */
export const POLICY_DIR = join(ROOT, "test/fixtures/project/policies");
export const BASELINE_FILE = join(POLICY_DIR, "patch-baseline.yaml");
/** Where the (never written) harness config claims to live: errors name it. */
export const CONFIG_FILE = join(ROOT, "test/pdp/pdp.harness.yaml");

export const USER_AUDIENCE = "zt-pdp-api";
export const DEVICE_AUDIENCE = "zt-pdp-device";
export const INSIDE_IP = "10.20.30.40";
export const OUTSIDE_IP = "203.0.113.7";
export const PERIMETER_VPCE = "vpce-0a1b2c3d4e5f60718";

export type Provider = "jamf" | "crowdstrike" | "jumpcloud" | "generic-mdm";
export const PROVIDERS: readonly Provider[] = ["jamf", "crowdstrike", "jumpcloud", "generic-mdm"];

/** A mutable copy of the parsed YAML document (loosely typed: tests break it on purpose). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ConfigDoc = Record<string, any>;

export interface HarnessOptions {
  /** Edit the config document before it is validated. */
  edit?: (doc: ConfigDoc) => void;
  /** Policy folder (default: the reference policies). */
  policyDir?: string;
  hydrate?: boolean;
  audit?: AuditSink;
  engine?: PolicyEngine;
  /** What the IdP / MDM servers publish at start (default: the harness keys, with `alg`). */
  idpJwks?: unknown;
  mdmJwks?: unknown;
}

export interface Harness {
  pdp: Pdp;
  loaded: LoadedConfig;
  audit: MemoryAuditSink;
  clock: TestClock;
  idp: JwksServer;
  mdm: JwksServer;
  userKey: TestKey;
  deviceKey: TestKey;
  /** Path of each JWKS on its server (for request counts). */
  idpJwksPath: string;
  mdmJwksPath: string;
  providerIssuer(provider: Provider): string;
  nowSeconds(): number;
  userClaims(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A valid RFC 9068 access token for `alice` (Employees, MFA) unless overridden. */
  userToken(opts?: TokenOptions): string;
  /** A client-credentials token (sub = client_id): a Service principal. */
  serviceToken(clientId: string, opts?: TokenOptions): string;
  deviceClaims(provider?: Provider, overrides?: Record<string, unknown>): Record<string, unknown>;
  /** A valid, fresh, patched, managed device token bound to `alice` unless overridden. */
  deviceToken(provider?: Provider, opts?: TokenOptions): string;
  /** GET /wiki/{page} from outside the perimeter with alice's tokens, unless overridden. */
  request(overrides?: Partial<AccessRequest>): AccessRequest;
  close(): Promise<void>;
}

export interface TokenOptions extends Omit<SignJwtOptions, "payload" | "header"> {
  claims?: Record<string, unknown>;
  header?: Record<string, unknown>;
}

// Keys are generated once per test file (each file runs in its own worker): RSA generation is slow.
let sharedKeys: { user: TestKey; device: TestKey } | undefined;
function keys(): { user: TestKey; device: TestKey } {
  sharedKeys ??= { user: generateTestKey("RS256", { kid: "idp-rsa-1" }), device: generateTestKey("ES256", { kid: "mdm-ec-1" }) };
  return sharedKeys;
}

/** The shipped config as a plain document, re-pointed at the loopback servers and absolute paths. */
export function configDocFor(idp: JwksServer, mdm: JwksServer, policyDir = POLICY_DIR): ConfigDoc {
  const doc = parseYaml(readFileSync(join(ROOT, "test/fixtures/project/config/pdp.yaml"), "utf8")) as ConfigDoc;
  for (const issuer of doc.issuers) {
    issuer.issuer = idp.issuer;
    issuer.jwksUri = idp.jwksUri;
  }
  for (const provider of doc.devicePosture.providers) {
    provider.issuer = `${mdm.origin}/mdm/${provider.name}`;
    provider.jwksUri = mdm.jwksUri;
  }
  doc.devicePosture.patchBaselineFile = BASELINE_FILE;
  doc.policy = { engine: "local", dir: policyDir };
  doc.development = { allowInsecureLoopbackJwks: true };
  return doc;
}

/** JSON is YAML: the document goes through the real loader (`parseConfig`) and its schema. */
export function loadDoc(doc: ConfigDoc, file = CONFIG_FILE): LoadedConfig {
  return parseConfig(JSON.stringify(doc), file);
}

export async function startServers(): Promise<{ idp: JwksServer; mdm: JwksServer; idpJwksPath: string; mdmJwksPath: string }> {
  const { user, device } = keys();
  const idpJwksPath = "/idp/.well-known/jwks.json";
  const mdmJwksPath = "/mdm/.well-known/jwks.json";
  const idp = await startJwksServer({ jwks: jwksOf(user), issuerPath: "/idp", jwksPath: idpJwksPath });
  const mdm = await startJwksServer({ jwks: jwksOf(device), issuerPath: "/mdm", jwksPath: mdmJwksPath });
  return { idp, mdm, idpJwksPath, mdmJwksPath };
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { user: userKey, device: deviceKey } = keys();
  const { idp, mdm, idpJwksPath, mdmJwksPath } = await startServers();
  if (options.idpJwks !== undefined) idp.setKeys(options.idpJwks);
  if (options.mdmJwks !== undefined) mdm.setKeys(options.mdmJwks);
  try {
    const doc = configDocFor(idp, mdm, options.policyDir);
    options.edit?.(doc);
    const loaded = loadDoc(doc);
    const clock = testClock();
    const audit = new MemoryAuditSink();
    const pdp = await createPdp({
      config: loaded,
      audit: options.audit ?? audit,
      now: clock.now,
      ...(options.hydrate === undefined ? {} : { hydrate: options.hydrate }),
      ...(options.engine ? { engine: options.engine } : {}),
    });
    const providerIssuer = (p: Provider) => `${mdm.origin}/mdm/${p}`;
    const nowSeconds = () => epochSeconds(clock.now());

    const userClaims = (overrides: Record<string, unknown> = {}) => {
      const iat = nowSeconds();
      return {
        iss: idp.issuer,
        aud: USER_AUDIENCE,
        sub: "alice",
        client_id: "dev-portal",
        groups: ["Employees"],
        amr: ["pwd", "mfa"],
        email: "alice@example.com",
        iat,
        exp: iat + 3600,
        jti: randomUUID(),
        ...overrides,
      };
    };
    const userToken = (opts: TokenOptions = {}) => {
      const { claims, header, ...rest } = opts;
      return signJwt({ key: userKey, header: { typ: "at+jwt", ...header }, payload: userClaims(claims), ...rest });
    };
    const serviceToken = (clientId: string, opts: TokenOptions = {}) =>
      userToken({
        ...opts,
        claims: { sub: clientId, client_id: clientId, groups: undefined, amr: undefined, email: undefined, ...opts.claims },
      });

    const deviceClaims = (provider: Provider = "jamf", overrides: Record<string, unknown> = {}) => {
      const iat = nowSeconds();
      return {
        iss: providerIssuer(provider),
        aud: DEVICE_AUDIENCE,
        sub: "device-1234",
        user_sub: "alice",
        iat,
        exp: iat + 3600,
        jti: randomUUID(),
        ...PATCHED_MANAGED[provider],
        ...overrides,
      };
    };
    const deviceToken = (provider: Provider = "jamf", opts: TokenOptions = {}) => {
      const { claims, header, ...rest } = opts;
      const typ = provider === "crowdstrike" ? "crowdstrike-zta+jwt" : "device-posture+jwt";
      return signJwt({ key: deviceKey, header: { typ, ...header }, payload: deviceClaims(provider, claims), ...rest });
    };

    const request = (overrides: Partial<AccessRequest> = {}): AccessRequest => ({
      bearerToken: "bearerToken" in overrides ? overrides.bearerToken : userToken(),
      deviceToken: "deviceToken" in overrides ? overrides.deviceToken : deviceToken(),
      method: "GET",
      routeTemplate: "/wiki/{page}",
      pathParameters: { page: "Home" },
      host: "api.example.com",
      sourceIp: OUTSIDE_IP,
      vpceId: undefined,
      userAgent: "Mozilla/5.0 (Macintosh)",
      requestId: `req-${randomUUID()}`,
      ...overrides,
    });

    return {
      pdp,
      loaded,
      audit,
      clock,
      idp,
      mdm,
      userKey,
      deviceKey,
      idpJwksPath,
      mdmJwksPath,
      providerIssuer,
      nowSeconds,
      userClaims,
      userToken,
      serviceToken,
      deviceClaims,
      deviceToken,
      request,
      close: async () => {
        await Promise.all([idp.close(), mdm.close()]);
      },
    };
  } catch (err) {
    await Promise.all([idp.close(), mdm.close()]);
    throw err;
  }
}

/** Provider claims for a managed device on macOS 15.7.1 (the baseline asks for 15.7). */
export const PATCHED_MANAGED: Readonly<Record<Provider, Record<string, unknown>>> = {
  jamf: { risk: "LOW", osv: "15.7.1" },
  crowdstrike: { assessment: { overall: 90, version: "3.4.0" }, platform: "Mac", os_version: "15.7.1" },
  jumpcloud: { device: { is_managed: true }, system: { os: "macos", version: "15.7.1" } },
  "generic-mdm": { managed: true, compliant: true, os: { family: "macos", version: "15.7.1" } },
};

// ---------------------------------------------------------------------------------------------------
// Assertions shared by every threat test.

export interface Decided {
  decision: Decision;
  record: AuditRecord;
}

/**
 * Decide, and check the invariants every decision must keep: exactly one new audit record, for this
 * decision, with no raw token (nor any of its segments) anywhere in it, and the bearer token's
 * fingerprint (when recorded) being the sha256 of the exact token.
 */
export async function decideOnce(h: Pick<Harness, "pdp" | "audit">, req: AccessRequest): Promise<Decided> {
  const before = h.audit.records.length;
  const decision = await h.pdp.decide(req);
  const added = h.audit.records.slice(before);
  expect(added, "exactly one audit record per decision").toHaveLength(1);
  const record = added[0]!;
  expect(record.decisionId).toBe(decision.decisionId);
  expect(record.outcome).toBe(decision.outcome);
  expect(record.effect).toBe(decision.effect);
  expectNoRawToken(record, [req.bearerToken, req.deviceToken]);
  const fp = record.identity.tokenFingerprint;
  if (fp !== undefined && typeof req.bearerToken === "string") expect(fp).toBe(sha256(req.bearerToken));
  return { decision, record };
}

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** No token, no segment of one long enough to matter, nor either end of a segment, appears in any string of the record. */
export function expectNoRawToken(record: unknown, tokens: readonly (string | undefined)[]): void {
  const strings: string[] = [JSON.stringify(record)];
  collectStrings(record, strings);
  const needles = new Set<string>();
  for (const token of tokens) {
    if (typeof token !== "string") continue;
    if (token.trim().length >= 16) needles.add(token.trim());
    for (const part of token.split(/[.\s]+/)) {
      if (part.length < 16) continue;
      // The whole segment, and its ends: a truncated copy is a leak too.
      needles.add(part);
      needles.add(part.slice(0, 16));
      needles.add(part.slice(-16));
    }
  }
  for (const needle of needles) {
    for (const s of strings) {
      if (s.includes(needle)) expect.fail(`audit record contains a raw token fragment \`${needle.slice(0, 24)}…\``);
    }
  }
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectStrings(v, out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      collectStrings(v, out);
    }
  }
}

/** A verified allow, recorded as one. */
export function expectAllowed(d: Decided, principal: { type: string; id: string } = { type: "User", id: "alice" }): void {
  expect(d.decision, JSON.stringify(d.decision.errors)).toMatchObject({ outcome: "allow", effect: "allow", errors: [] });
  expect(d.decision.principal).toEqual(principal);
  expect(d.record).toMatchObject({ outcome: "allow", effect: "allow", principal, errors: [] });
}

/** Not an allow: the outcome, and `code` among the decision's and the record's reason codes. */
export function expectRefused(d: Decided, outcome: Exclude<Outcome, "allow">, code: ReasonCode): void {
  expect(d.decision.effect).toBe("deny");
  expect(d.decision.outcome).toBe(outcome);
  expect(d.decision.errors.map((e) => e.code)).toContain(code);
  expect(d.record.outcome).toBe(outcome);
  expect(d.record.effect).toBe("deny");
  expect(d.record.errors.map((e) => e.code)).toContain(code);
  if (outcome === "unauthenticated" || code === "jwks_unavailable") {
    // Nothing about an unverified caller is recorded as if it were known.
    expect(d.record.principal).toBeNull();
    expect(d.record.groups).toEqual([]);
    expect(d.decision.principal).toBeUndefined();
  }
}

/** 401-class: no verifiable identity, with this reason code. */
export function expectUnauthenticated(d: Decided, code: ReasonCode): void {
  expectRefused(d, "unauthenticated", code);
  expect(d.decision.errors).toHaveLength(1);
}

/**
 * 403-class: authenticated, but the device posture was not trusted, so a posture-requiring policy
 * denied. The record says why the device token was refused and shows the least-trusted posture.
 */
export function expectDeviceUntrusted(d: Decided, deviceCode: string): void {
  expectRefused(d, "deny", "policy_denied");
  expect(d.record.principal).toEqual({ type: "User", id: "alice" });
  expect(d.record.device).toMatchObject({ verified: false, provider: "none", managed: false, patched: false, untrustedReason: deviceCode });
  expect(d.decision.posture).toMatchObject({ verified: false, managed: false });
}

// ---------------------------------------------------------------------------------------------------
// Temporary policy folders.

/** A temp folder with the reference schema and the given policy files (name → text or a reference file). */
export function tempPolicyDir(files: Record<string, string | { copy: string }> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-threat-policies-"));
  copyFileSync(join(POLICY_DIR, "schema.cedarschema"), join(dir, "schema.cedarschema"));
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") writeFileSync(join(dir, name), content);
    else copyFileSync(join(POLICY_DIR, content.copy), join(dir, name));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
