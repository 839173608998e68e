import { isIP } from "node:net";
import { buildAvaContext, httpRequestOf, idcClaims, type AvaContextInput, type AvaProviderData } from "../../ava/context.js";
import type { AvaManifest, TrustProvider } from "../../ava/manifest.js";
import { withDeviceDefaults } from "../../ava/providers/devices.js";
import { ztpdpClaimBounds, ztpdpClaims } from "../../ava/providers/ztpdp.js";
import type { LimitsConfig, PdpConfig, PostureFormat } from "../../config/schema.js";
import type { PatchBaseline } from "../../posture/baseline.js";
import type { CedarValue } from "../../policy/engine.js";
import { normalizePosture } from "../../posture/normalize.js";
import { LEAST_TRUSTED_POSTURE, type PostureRecord } from "../../posture/types.js";
import { Checker, closest, describe, isPlainObject } from "../scenario/check.js";
import { readPosture } from "../scenario/posture-input.js";
import type { ResolveContext } from "../scenario/case.js";
import type { Path } from "../scenario/source.js";

/**
 * One case of a Verified Access scenario file: the user (as the folder's user trust provider reports
 * them), the device (what each device trust provider reports, or a normalized posture) and the request,
 * read into exactly the context AVA would evaluate (src/ava/context.ts). Every problem is recorded on
 * the checker with its path.
 */

export interface AvaResolveContext {
  manifest: AvaManifest;
  policyIds: ReadonlySet<string>;
  nowSeconds: number;
  limits: Pick<LimitsConfig, "maxClaimStringLength" | "maxGroups">;
  /** The project config and patch baseline: posture providers and the baseline for this project's trust provider. */
  project?: { config: PdpConfig; baseline: PatchBaseline };
}

export interface AvaExpectation {
  decision: "allow" | "deny";
  determining?: string[];
  errors?: string[];
}

export interface AvaCase {
  name: string;
  input: AvaContextInput;
  expect: AvaExpectation;
  /** The context AVA would evaluate for this case. */
  context: Record<string, CedarValue>;
  /** What was evaluated, in one line. */
  summary: string;
}

export const AVA_CASE_KEYS = ["name", "user", "device", "request", "expect"] as const;
const USER_KEYS = ["provider", "id", "name", "email", "emailVerified", "groups", "mfa", "issuer", "claims"];
const REQUEST_KEYS = ["method", "host", "path", "query", "port", "sourceIp", "forwardedFor", "userAgent"];

/** Where a request comes from when a case does not say: TEST-NET-2, in no corporate range. */
export const DEFAULT_SOURCE_IP = "198.51.100.10";
export const DEFAULT_HOST = "app.example.com";
export const DEFAULT_USER_AGENT = "Mozilla/5.0 (ztpdp scenario)";

export function readAvaCase(raw: unknown, path: Path, ctx: AvaResolveContext, check: Checker, opts: { requireName: boolean; requireExpect: boolean }): AvaCase | undefined {
  const before = check.issues.length;
  const c = check.object(raw, path, AVA_CASE_KEYS, [...(opts.requireName ? ["name"] : []), "request", ...(opts.requireExpect ? ["expect"] : [])]);
  if (!c) return undefined;
  const name = c.name === undefined && !opts.requireName ? "(request)" : check.string(c.name, [...path, "name"]);
  const devices = readDevices(c.device, [...path, "device"], ctx, check);
  const user = c.user === undefined || c.user === "none" ? undefined : readUser(c.user, [...path, "user"], ctx, devices, check);
  const request = readRequest(c.request, [...path, "request"], check);
  const expect = c.expect === undefined ? { decision: "deny" as const } : readExpect(c.expect, [...path, "expect"], ctx, check);
  if (!devices) return undefined;
  const input: AvaContextInput = { request: request ?? httpRequestOf({}), ...(user ? { user } : {}), devices: devices.ava };
  // The context builder checks every value against AWS's documented shape: report its findings here
  // (also when the request has problems of its own, so one run shows every mistake of the case).
  const built = buildAvaContext(input, { nowSeconds: ctx.nowSeconds, maxString: ctx.limits.maxClaimStringLength, maxItems: ctx.limits.maxGroups });
  for (const issue of built.issues) {
    if (issue.part === "request" && !request) continue;
    const at = issue.part === "user" ? [...path, "user"] : issue.part === "request" ? [...path, "request"] : [...path, "device", ...devicePath(issue.part, devices)];
    check.fail(at, issue.path ? `${issue.path}: ${issue.message}` : issue.message);
  }
  if (check.issues.length > before || !name || !request || !expect || (c.user !== undefined && c.user !== "none" && !user)) return undefined;
  return { name, input, expect, context: built.context, summary: summarize(input) };
}

interface DeviceRead {
  /** What AVA's device trust providers see. */
  ava: AvaProviderData[];
  /** Index in the case's device list of each `ava` entry. */
  index: number[];
  /** The posture this project's trust provider derives from the first device entry (least trusted when none). */
  posture: PostureRecord;
  untrustedReason: string | undefined;
}

function devicePath(part: string, devices: DeviceRead): Array<string | number> {
  const i = Number(/\[(\d+)\]/.exec(part)?.[1] ?? 0);
  const at = devices.index[i] ?? 0;
  return devices.index.length > 1 || at > 0 ? [at, "claims"] : ["claims"];
}

function readDevices(value: unknown, path: Path, ctx: AvaResolveContext, check: Checker): DeviceRead | undefined {
  const out: DeviceRead = { ava: [], index: [], posture: structuredClone(LEAST_TRUSTED_POSTURE), untrustedReason: "device_token_missing" };
  if (value === undefined || value === "none") return out;
  const list = Array.isArray(value) ? value : [value];
  const before = check.issues.length;
  let postured = false;
  list.forEach((entry, i) => {
    const at = Array.isArray(value) ? [...path, i] : path;
    const posture = readDeviceEntry(entry, at, ctx, check, out, i);
    if (posture && !postured) {
      postured = true;
      out.posture = posture.record;
      out.untrustedReason = posture.untrustedReason;
    }
  });
  return check.issues.length > before ? undefined : out;
}

/** One device entry; returns the posture this project's trust provider would derive from it. */
function readDeviceEntry(
  entry: unknown,
  at: Path,
  ctx: AvaResolveContext,
  check: Checker,
  out: DeviceRead,
  index: number,
): { record: PostureRecord; untrustedReason: string | undefined } | undefined {
  if (!isPlainObject(entry)) return check.fail(at, `expected \`none\`, \`{ provider, claims, ageSeconds }\` or \`{ posture }\`, got ${describe(entry)}`);
  if (entry.posture !== undefined) {
    const d = check.object(entry, at, ["posture"]);
    if (!d) return undefined;
    if (!ctx.project) return check.fail([...at, "posture"], "a normalized `posture` needs the project config (for the patch baseline): run from the project root or pass `--config`");
    const record = readPosture(d.posture, [...at, "posture"], { baseline: ctx.project.baseline, nowSeconds: ctx.nowSeconds } as ResolveContext, check);
    return record ? { record, untrustedReason: undefined } : undefined;
  }
  const d = check.object(entry, at, ["provider", "claims", "ageSeconds"], ["provider"]);
  if (!d) return undefined;
  const claims = check.claims(d.claims, [...at, "claims"]);
  const ageSeconds = check.integer(d.ageSeconds, [...at, "ageSeconds"], 0, 30 * 86400) ?? 0;
  const ref = typeof d.provider === "string" ? ctx.manifest.byRef.get(d.provider) : undefined;
  const configProvider = typeof d.provider === "string" ? ctx.project?.config.devicePosture.providers.find((p) => p.name === d.provider) : undefined;
  if (ref && ref.kind === "device") {
    out.ava.push({ ref: ref.ref, type: ref.type, claims, ageSeconds });
    out.index.push(index);
    const format = ref.type as PostureFormat;
    return normalized(postureProviderName(ref, ctx), format, withDeviceDefaults(ref.type, claims, ctx.nowSeconds, ageSeconds), ctx);
  }
  if (configProvider) {
    const iat = ctx.nowSeconds - ageSeconds;
    return normalized(configProvider.name, configProvider.format, { iat, exp: iat + 600, ...claims }, ctx);
  }
  const devices = ctx.manifest.providers.filter((p) => p.kind === "device").map((p) => p.ref);
  const posture = ctx.project?.config.devicePosture.providers.map((p) => p.name) ?? [];
  const all = [...devices, ...posture.filter((p) => !devices.includes(p))];
  const hint = typeof d.provider === "string" ? closest(d.provider, all) : undefined;
  return check.fail(
    [...at, "provider"],
    `unknown device provider ${describe(d.provider)}${hint ? ` (did you mean \`${hint}\`?)` : ""}: expected a device trust provider of verified-access.yaml (${devices.map((r) => `\`${r}\``).join(", ") || "none"})` +
      (posture.length ? ` or a posture provider of the project config (${posture.map((p) => `\`${p}\``).join(", ")})` : ""),
  );
}

/** The project's posture provider standing for an AVA device provider (for `device.provider` of this project's claims). */
function postureProviderName(ref: TrustProvider, ctx: AvaResolveContext): string {
  const config = ctx.project?.config;
  const mapped = Object.entries(config?.verifiedAccess?.deviceContexts ?? {}).find(([, r]) => r === ref.ref)?.[0];
  return mapped ?? config?.devicePosture.providers.find((p) => p.format === ref.type)?.name ?? ref.ref;
}

function normalized(providerName: string, format: PostureFormat, payload: Record<string, unknown>, ctx: AvaResolveContext) {
  const result = normalizePosture({
    providerName,
    format,
    payload,
    // Without a project config no family is patched (the baseline's own rule for an unlisted family).
    baseline: ctx.project?.baseline ?? { version: 1, source: "(none)", minimum: new Map() },
    nowSeconds: ctx.nowSeconds,
    maxAgeSeconds: ctx.project?.config.devicePosture.maxAgeSeconds ?? 3600,
  });
  return result.ok ? { record: result.posture, untrustedReason: undefined } : { record: structuredClone(LEAST_TRUSTED_POSTURE), untrustedReason: result.code };
}

function readUser(value: unknown, path: Path, ctx: AvaResolveContext, devices: DeviceRead | undefined, check: Checker): AvaProviderData | undefined {
  const u = check.object(value, path, USER_KEYS, ["id"]);
  if (!u) return undefined;
  const users = ctx.manifest.providers.filter((p) => p.kind === "user");
  let provider: TrustProvider | undefined;
  if (u.provider === undefined) {
    provider = users.length === 1 ? users[0] : undefined;
    if (!provider) {
      return check.fail(path, users.length === 0 ? "verified-access.yaml declares no user trust provider" : `name the user trust provider: \`provider:\` one of ${users.map((p) => `\`${p.ref}\``).join(", ")}`);
    }
  } else {
    const refName = check.oneOf(u.provider, [...path, "provider"], users.map((p) => p.ref));
    provider = refName === undefined ? undefined : ctx.manifest.byRef.get(refName);
  }
  const id = check.string(u.id, [...path, "id"]);
  const email = u.email === null ? undefined : check.optionalString(u.email, [...path, "email"]);
  const displayName = u.name === null ? undefined : check.optionalString(u.name, [...path, "name"]);
  const emailVerified = u.emailVerified === undefined || u.emailVerified === null ? undefined : check.boolean(u.emailVerified, [...path, "emailVerified"], false);
  const mfa = check.boolean(u.mfa, [...path, "mfa"], false);
  if (!provider || !id) return undefined;
  const noClaims = (why: string) => u.claims !== undefined && check.fail([...path, "claims"], `\`claims\` is for OIDC trust providers: ${why}`);

  if (provider.type === "iam-identity-center") {
    noClaims("IAM Identity Center's context has fixed fields (`id`, `name`, `email`, `emailVerified`, `groups`)");
    const groups = readIdcGroups(u.groups, [...path, "groups"], check);
    const claims = idcClaims({ userId: id, userName: displayName ?? id, email: email ?? "", emailVerified: emailVerified ?? false, groups });
    return { ref: provider.ref, type: provider.type, claims };
  }
  const groups = u.groups === null ? [] : check.stringList(u.groups, [...path, "groups"]);
  if (provider.type === "oidc") {
    // `null` says "the IdP does not send this claim" (a claim missing from UserInfo is missing in AVA's context).
    const extra = Object.entries(check.claims(u.claims, [...path, "claims"]));
    const claims: Record<string, unknown> = {
      sub: id,
      ...(email !== undefined ? { email } : {}),
      ...(emailVerified !== undefined ? { email_verified: emailVerified } : {}),
      ...(u.groups !== undefined && u.groups !== null ? { groups } : {}),
      ...(displayName !== undefined ? { name: displayName } : {}),
      ...Object.fromEntries(extra.filter(([, v]) => v !== null)),
    };
    for (const [k, v] of extra) if (v === null) delete claims[k];
    return { ref: provider.ref, type: provider.type, claims };
  }
  noClaims("this project's trust provider returns fixed claims; describe the device under `device`");
  const issuers = ctx.project?.config.issuers.map((i) => i.name) ?? [];
  const idp = u.issuer === undefined ? (issuers[0] ?? "corporate-idp") : check.oneOf(u.issuer, [...path, "issuer"], issuers.length ? issuers : ["corporate-idp"]);
  if (!devices || !idp) return undefined;
  // As the identity layer does: an email the IdP marks unverified is not the user's email.
  const identity = { subject: id, email: emailVerified === false ? undefined : email, mfa, issuerName: idp };
  const claims = ztpdpClaims({ identity, groups, emailVerified: emailVerified ?? false, posture: devices.posture, untrustedReason: devices.untrustedReason }, ztpdpClaimBounds(ctx.project?.config));
  if (!claims) return check.fail([...path, "groups"], "this user's claims do not fit Verified Access's claim quota (the trust provider refuses such a sign-in)");
  return { ref: provider.ref, type: provider.type, claims: claims as unknown as Record<string, unknown> };
}

/** IdC groups: a group id (then also its name), or `{ id, name }`. Policies should test ids (trust-data-iam.html). */
function readIdcGroups(value: unknown, path: Path, check: Checker): Array<{ id: string; name: string }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    check.fail(path, `expected a list of group ids or \`{ id, name }\`, got ${describe(value)}`);
    return [];
  }
  return value.flatMap((g, i) => {
    if (typeof g === "string") return g ? [{ id: g, name: g }] : (check.fail([...path, i], "expected a group id"), []);
    const o = check.object(g, [...path, i], ["id", "name"], ["id"]);
    const id = o ? check.string(o.id, [...path, i, "id"]) : undefined;
    const name = o && o.name !== undefined ? check.string(o.name, [...path, i, "name"]) : id;
    return id && name ? [{ id, name }] : [];
  });
}

function readRequest(value: unknown, path: Path, check: Checker) {
  const r = check.object(value, path, REQUEST_KEYS, ["method", "path"]);
  if (!r) return undefined;
  const method = check.string(r.method, [...path, "method"]);
  if (method && !/^[A-Z]{1,16}$/.test(method)) check.fail([...path, "method"], `expected an HTTP method in capitals such as \`GET\`, got ${describe(method)}`);
  const p = check.string(r.path, [...path, "path"]);
  if (p && !p.startsWith("/")) check.fail([...path, "path"], "expected a path starting with `/`");
  const sourceIp = check.optionalString(r.sourceIp, [...path, "sourceIp"]) ?? DEFAULT_SOURCE_IP;
  if (isIP(sourceIp) === 0) check.fail([...path, "sourceIp"], `expected an IP address, got ${describe(sourceIp)}`);
  const port = check.integer(r.port, [...path, "port"], 1, 65535) ?? 443;
  return httpRequestOf({
    http_method: method,
    hostname: check.optionalString(r.host, [...path, "host"]) ?? DEFAULT_HOST,
    path: p,
    query: r.query === undefined ? "" : typeof r.query === "string" ? r.query : (check.fail([...path, "query"], "expected a string such as `a=1&b=2`"), ""),
    x_forwarded_for: check.optionalString(r.forwardedFor, [...path, "forwardedFor"]) ?? sourceIp,
    port,
    user_agent: check.optionalString(r.userAgent, [...path, "userAgent"]) ?? DEFAULT_USER_AGENT,
    client_ip: sourceIp,
  });
}

function readExpect(value: unknown, path: Path, ctx: AvaResolveContext, check: Checker): AvaExpectation | undefined {
  const decisions = ["allow", "deny"] as const;
  if (typeof value === "string") {
    const decision = check.oneOf(value, path, decisions);
    return decision ? { decision } : undefined;
  }
  const e = check.object(value, path, ["decision", "determining", "errors"], ["decision"]);
  if (!e) return undefined;
  const decision = check.oneOf(e.decision, [...path, "decision"], decisions);
  const ids = (key: "determining" | "errors") => check.policyIdList(e[key], [...path, key], ctx.policyIds);
  const expect: AvaExpectation = { decision: decision ?? "deny" };
  if (e.determining !== undefined) expect.determining = ids("determining");
  if (e.errors !== undefined) expect.errors = ids("errors");
  return decision ? expect : undefined;
}

/** `alice via idc · devices jamf · GET app.example.com/reports from 10.1.2.3` */
export function summarize(input: AvaContextInput): string {
  const r = input.request;
  const who = input.user ? `${String(input.user.claims.sub ?? (input.user.claims.user as { user_id?: string } | undefined)?.user_id ?? "?")} via ${input.user.ref}` : "no user";
  const devices = input.devices.length ? `devices ${input.devices.map((d) => d.ref).join(", ")}` : "no device data";
  return `${who} · ${devices} · ${r.http_method} ${r.hostname}${r.path}${r.query ? `?${r.query}` : ""} from ${r.client_ip}`;
}
