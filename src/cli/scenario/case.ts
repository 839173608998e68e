import type { IssuerConfig, PdpConfig } from "../../config/schema.js";
import type { PatchBaseline } from "../../posture/baseline.js";
import type { CaseInput, DeviceInput, PrincipalInput } from "../harness/types.js";
import { Checker, closest, describe, isPlainObject } from "./check.js";
import { EXPECTED_DECISIONS, POSTURE_FAILURE_CODES, type Expectation } from "./expectation.js";
import { readPosture } from "./posture-input.js";
import { readRequest } from "./request-input.js";
import type { Path } from "./source.js";

/** What a case is checked against: the project's config and policies, and the file's declarations. */
export interface ResolveContext {
  config: PdpConfig;
  baseline: PatchBaseline;
  /** `Type::"id"` of every entity the policies name (and enum entities of the schema). */
  namedEntities: ReadonlySet<string>;
  /** Groups declared real although no policy names them (`knownGroups:` / `--known-group`). */
  knownGroups: ReadonlySet<string>;
  policyIds: ReadonlySet<string>;
  nowSeconds: number;
  /** How to declare a known group / an inline resource where the case came from (file keys or flags). */
  hints?: { knownGroup: string; inlineResource: string };
}

const FILE_HINT = "list it under `knownGroups`";

export interface ScenarioCase {
  name: string;
  input: CaseInput;
  expect: Expectation;
}

export const CASE_KEYS = ["name", "user", "service", "device", "request", "expect"] as const;

/**
 * One case, from its raw (defaults-merged) value to a request the harness can run. Every problem is
 * recorded on `check` with its path; the result is undefined when there was any.
 */
export function readCase(
  raw: unknown,
  path: Path,
  ctx: ResolveContext,
  check: Checker,
  opts: { requireName: boolean; requireExpect: boolean },
): ScenarioCase | undefined {
  const before = check.issues.length;
  const c = check.object(raw, path, CASE_KEYS, [...(opts.requireName ? ["name"] : []), "request", ...(opts.requireExpect ? ["expect"] : [])]);
  if (!c) return undefined;
  const name = c.name === undefined && !opts.requireName ? "(request)" : check.string(c.name, [...path, "name"]);
  const principal = readPrincipal(c, path, ctx, check);
  const device = readDevice(c.device, [...path, "device"], ctx, check);
  const request = c.request === undefined ? undefined : readRequest(c.request, [...path, "request"], ctx, check);
  const expect = c.expect === undefined ? { decision: "deny" as const } : readExpect(c.expect, [...path, "expect"], ctx, device, check);
  if (check.issues.length > before || !name || !principal || !device || !request || !expect) return undefined;
  return { name, input: { principal, device, request }, expect };
}

function readPrincipal(c: Record<string, unknown>, path: Path, ctx: ResolveContext, check: Checker): PrincipalInput | undefined {
  if ((c.user === undefined) === (c.service === undefined)) {
    return check.fail(path, "a case names exactly one caller: `user: { id, groups, mfa }` or `service: <client id>`");
  }
  if (c.user !== undefined) {
    const at = [...path, "user"];
    const u = check.object(c.user, at, ["id", "groups", "mfa", "issuer", "claims"], ["id"]);
    if (!u) return undefined;
    const issuer = readIssuer(u.issuer, [...at, "issuer"], ctx, check);
    const id = check.string(u.id, [...at, "id"]);
    const groups = check.stringList(u.groups, [...at, "groups"]);
    if (issuer) groups.forEach((g, i) => checkGroup(g, [...at, "groups", i], issuer, ctx, check));
    const mfa = check.boolean(u.mfa, [...at, "mfa"], false);
    const claims = check.claims(u.claims, [...at, "claims"]);
    return issuer && id ? { kind: "user", issuer, id, groups, mfa, claims } : undefined;
  }
  const at = [...path, "service"];
  const s = typeof c.service === "string" ? { clientId: c.service } : check.object(c.service, at, ["clientId", "issuer", "claims"], ["clientId"]);
  if (!s) return undefined;
  const issuer = readIssuer(s.issuer, [...at, "issuer"], ctx, check);
  const clientId = check.string(s.clientId, typeof c.service === "string" ? at : [...at, "clientId"]);
  if (issuer && !issuer.services.enabled) check.fail(at, `issuer \`${issuer.name}\` has service (client-credentials) callers disabled`);
  const claims = check.claims(s.claims, [...at, "claims"]);
  return issuer && clientId && issuer.services.enabled ? { kind: "service", issuer, clientId, claims } : undefined;
}

function readIssuer(value: unknown, path: Path, ctx: ResolveContext, check: Checker): IssuerConfig | undefined {
  if (value === undefined) return ctx.config.issuers[0];
  const names = ctx.config.issuers.map((i) => i.name);
  const name = check.oneOf(value, path, names);
  return ctx.config.issuers.find((i) => i.name === name);
}

/**
 * The "unknown group" rule: a group must be named by some policy (as the PDP will name it, with the
 * issuer's entity id prefix), or be declared in `knownGroups`. A typo such as `Employes` would otherwise
 * make a case pass for the wrong reason (the user is simply in no group a policy cares about).
 */
function checkGroup(group: string, path: Path, issuer: IssuerConfig, ctx: ResolveContext, check: Checker): void {
  const prefix = issuer.principal.entityIdPrefix;
  const entity = `${issuer.principal.groupEntityType}::${JSON.stringify(prefix === undefined ? group : `${prefix}|${group}`)}`;
  if (ctx.namedEntities.has(entity) || ctx.knownGroups.has(group)) return;
  const named = [...ctx.namedEntities]
    .filter((e) => e.startsWith(`${issuer.principal.groupEntityType}::`))
    .map((e) => JSON.parse(e.slice(issuer.principal.groupEntityType.length + 2)) as string)
    .map((id) => (prefix !== undefined && id.startsWith(`${prefix}|`) ? id.slice(prefix.length + 1) : id));
  const hint = closest(group, named);
  check.fail(
    path,
    `unknown group \`${group}\`: no policy names \`${entity}\`${hint ? ` (did you mean \`${hint}\`?)` : ""}` +
      ` (groups named by policies: ${named.length ? named.sort().join(", ") : "none"}); if the group is real and no policy names it on purpose, ${ctx.hints?.knownGroup ?? FILE_HINT}`,
  );
}

function readDevice(value: unknown, path: Path, ctx: ResolveContext, check: Checker): DeviceInput | undefined {
  if (value === undefined || value === "none") return { kind: "none" };
  if (!isPlainObject(value)) {
    return check.fail(path, `expected \`none\`, \`{ provider, claims }\` or \`{ posture }\`, got ${describe(value)}`);
  }
  if (value.posture !== undefined) {
    const d = check.object(value, path, ["posture"]);
    const posture = d ? readPosture(d.posture, [...path, "posture"], ctx, check) : undefined;
    return posture ? { kind: "posture", posture } : undefined;
  }
  const d = check.object(value, path, ["provider", "claims", "ageSeconds"], ["provider"]);
  if (!d) return undefined;
  const providers = ctx.config.devicePosture.providers;
  const name = check.oneOf(d.provider, [...path, "provider"], providers.map((p) => p.name));
  const provider = providers.find((p) => p.name === name);
  const claims = check.claims(d.claims, [...path, "claims"]);
  const ageSeconds = check.integer(d.ageSeconds, [...path, "ageSeconds"], 0, 30 * 86400) ?? 0;
  return provider ? { kind: "token", provider, claims, ageSeconds } : undefined;
}

function readExpect(value: unknown, path: Path, ctx: ResolveContext, device: DeviceInput | undefined, check: Checker): Expectation | undefined {
  if (typeof value === "string") {
    const decision = check.oneOf(value, path, EXPECTED_DECISIONS);
    return decision ? { decision } : undefined;
  }
  const e = check.object(value, path, ["decision", "determining", "errors", "deviceRejected"], ["decision"]);
  if (!e) return undefined;
  const decision = check.oneOf(e.decision, [...path, "decision"], EXPECTED_DECISIONS);
  const expect: Expectation = { decision: decision ?? "deny" };
  const policyList = (key: "determining" | "errors") => check.policyIdList(e[key], [...path, key], ctx.policyIds);
  if (e.determining !== undefined) expect.determining = policyList("determining");
  if (e.errors !== undefined) expect.errors = policyList("errors");
  if (e.deviceRejected !== undefined) {
    if (device && device.kind !== "token") check.fail([...path, "deviceRejected"], "`deviceRejected` needs a device token (`device: { provider, claims }`)");
    const code = check.oneOf(e.deviceRejected, [...path, "deviceRejected"], POSTURE_FAILURE_CODES);
    if (code) expect.deviceRejected = code;
  }
  return decision ? expect : undefined;
}
