import type { VerifiedIdentity } from "../identity/types.js";
import type { AuthorizationQuery, CedarValue, EntityJson } from "../policy/engine.js";
import type { PostureRecord } from "../posture/types.js";
import { cedarIp, cedarLong, cedarString, cedarStringSet } from "./cedar-values.js";
import type { ResolvedResource } from "./resource.js";
import type { AccessRequest } from "./types.js";

const MAX_STRING = 512;

/**
 * Builds the Cedar request from verified data only, field by field. The shape is the schema's
 * `RequestContext` (policies/schema.cedarschema); every attribute is always present, with its
 * least-trusted value when unknown, so policies never need `has` and never error on a missing key.
 */
export function buildQuery(
  identity: VerifiedIdentity,
  posture: PostureRecord,
  resolved: ResolvedResource,
  request: AccessRequest,
  nowSeconds: number,
): AuthorizationQuery {
  const { route } = resolved;
  const principal = { type: identity.principal.type, id: identity.principal.id };
  const resource = { type: "Route", id: route.path };
  const application = { type: "Application", id: route.application };

  const entities: EntityJson[] = [
    // Attributes come typed from principal-attributes.ts (every declared one, least-trusted when unknown).
    { uid: principal, attrs: { ...identity.attributes }, parents: identity.groups.map((g) => ({ type: g.type, id: g.id })) },
    ...identity.groups.map((g) => ({ uid: { type: g.type, id: g.id }, attrs: {}, parents: [] })),
    {
      uid: resource,
      attrs: { classification: route.classification, application: route.application },
      parents: [application],
    },
    { uid: application, attrs: {}, parents: [] },
  ];

  const ip = cedarIp(request.sourceIp);
  const context: Record<string, CedarValue> = {
    identity: {
      issuer: identity.issuerName,
      tokenUse: identity.tokenUse,
      mfa: identity.mfa,
      amr: cedarStringSet(identity.amr, 64),
      tokenAgeSeconds: cedarLong(Math.max(0, nowSeconds - identity.issuedAt)),
    },
    device: postureValue(posture),
    network: {
      sourceIp: ip.value,
      sourceIpKnown: ip.known,
      vpceId: cedarString(request.vpceId, 64),
      host: cedarString(request.host?.toLowerCase(), 255),
      userAgent: cedarString(request.userAgent, MAX_STRING),
    },
    request: { method: resolved.action.id, route: route.path },
  };
  return { principal, action: resolved.action, resource, context, entities };
}

function postureValue(p: PostureRecord): CedarValue {
  return {
    verified: p.verified,
    provider: p.provider,
    managed: p.managed,
    compliant: p.compliant,
    os: {
      family: p.os.family,
      version: p.os.version,
      major: cedarLong(p.os.major),
      minor: cedarLong(p.os.minor),
      patch: cedarLong(p.os.patch),
      patched: p.os.patched,
    },
    diskEncrypted: p.diskEncrypted,
    edrScore: cedarLong(p.edrScore),
    riskLevel: p.riskLevel,
    observedAt: cedarLong(p.observedAt),
    ageSeconds: cedarLong(p.ageSeconds),
  };
}
