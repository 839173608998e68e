import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { AuthorizationQuery, CedarValue, EntityJson } from "../../src/policy/engine.js";
import type { PostureRecord } from "../../src/posture/types.js";
import { LEAST_TRUSTED_POSTURE } from "../../src/posture/types.js";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The tests' frozen copy of the reference policies (test/fixtures/project), never the repository's policies/. */
export const REFERENCE_DIR = join(REPO_ROOT, "test/fixtures/project/policies");
export const REFERENCE_SCHEMA = join(REFERENCE_DIR, "schema.cedarschema");
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

export const TRUSTED_POSTURE: PostureRecord = {
  verified: true,
  provider: "jamf",
  managed: true,
  compliant: true,
  os: { family: "macos", version: "14.5.0", major: 14, minor: 5, patch: 0, patched: true },
  diskEncrypted: true,
  edrScore: 90,
  riskLevel: "secure",
  observedAt: 1_767_000_000,
  ageSeconds: 60,
};

export const ip = (arg: string): CedarValue => ({ __extn: { fn: "ip", arg } });

export interface QuerySpec {
  principal: { type: "User" | "Service"; id: string; groups?: string[] };
  /** An HTTP method: the action the decision layer sends. */
  action: string;
  route: { id: string; application: string; classification: string };
  posture?: "trusted" | "least-trusted";
  /** Deep-merged onto the base context; `network.sourceIp` may be a plain string (wrapped in `ip(...)`). */
  context?: Record<string, unknown>;
}

/** A context in the decision model's shape: an MFA session from a trusted device on the corporate range. */
export function baseContext(spec: Pick<QuerySpec, "action" | "route" | "posture">): Record<string, CedarValue> {
  const posture = spec.posture === "least-trusted" ? LEAST_TRUSTED_POSTURE : TRUSTED_POSTURE;
  return {
    identity: { issuer: "https://idp.example.com", tokenUse: "access", mfa: true, amr: ["pwd", "mfa"], tokenAgeSeconds: 120 },
    device: { ...posture, os: { ...posture.os } },
    network: { sourceIp: "10.20.30.40", sourceIpKnown: true, vpceId: "", host: "api.example.com", userAgent: "test" },
    request: { method: spec.action, route: spec.route.id },
  };
}

export function buildQuery(spec: QuerySpec): AuthorizationQuery {
  const context = deepMerge(baseContext(spec), spec.context ?? {}) as Record<string, Record<string, CedarValue>>;
  const network = context["network"];
  if (network && typeof network["sourceIp"] === "string") network["sourceIp"] = ip(network["sourceIp"]);
  const groups = spec.principal.groups ?? [];
  const entities: EntityJson[] = [
    {
      uid: { type: spec.principal.type, id: spec.principal.id },
      attrs: {},
      parents: groups.map((id) => ({ type: "Group", id })),
    },
    ...groups.map((id) => ({ uid: { type: "Group", id }, attrs: {}, parents: [] })),
    {
      uid: { type: "Route", id: spec.route.id },
      attrs: { classification: spec.route.classification, application: spec.route.application },
      parents: [{ type: "Application", id: spec.route.application }],
    },
    { uid: { type: "Application", id: spec.route.application }, attrs: {}, parents: [] },
  ];
  return {
    principal: { type: spec.principal.type, id: spec.principal.id },
    action: { type: "Action", id: spec.action },
    resource: { type: "Route", id: spec.route.id },
    context: context as Record<string, CedarValue>,
    entities,
  };
}

/** The wiki-reading employee every engine test starts from. */
export const employeeReadsWiki = (): AuthorizationQuery =>
  buildQuery({
    principal: { type: "User", id: "okta|alice", groups: ["Employees"] },
    action: "GET",
    route: { id: "/wiki/{page}", application: "wiki", classification: "internal" },
  });

function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
