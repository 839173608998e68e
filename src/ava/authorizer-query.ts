import type { ClaimPath } from "../config/issuer-fields.js";
import type { PdpConfig } from "../config/schema.js";
import type { VerifiedAccessConfig } from "../config/verified-access.js";
import type { QueryBuilder } from "../decision/decide.js";
import { readClaim } from "../identity/claim-path.js";
import type { VerifiedIdentity } from "../identity/types.js";
import type { PostureResult } from "../posture/types.js";
import { buildAvaContext, httpRequestOf, idcClaims, type AvaProviderData } from "./context.js";
import { avaQuery } from "./engine.js";
import type { AvaManifest, TrustProvider } from "./manifest.js";
import { ztpdpClaimBounds, ztpdpClaims } from "./providers/ztpdp.js";
import type { ProviderType } from "./shapes.js";

/**
 * AVA mode of the authorizer: the Cedar request is the context Verified Access would build for this
 * request, from what the authorizer verified, so the same policy files protect AVA-fronted apps and the
 * APIs behind the authorizers:
 * - `context.http_request` from the API Gateway request (method, host without port, raw path and query,
 *   X-Forwarded-For, port, user agent, source IP);
 * - the user trust provider (`userContexts[issuer]`, else the folder's only one), in its shape:
 *   `oidc`: the token's claims without the token mechanics (`iss`, `aud`, `exp`, ...), and all of them
 *   under `additional_user_context` (what AVA adds for providers created from 2025-02-24:
 *   user-trust.html); `iam-identity-center`: `user{user_id, user_name, email}` and `groups` keyed by
 *   the group claim's values (which must then be IdC group ids); `ztpdp`: this project's trust
 *   provider's claims, from the identity and the verified posture. A caller identified by AVA's signed
 *   header gets the header's claims as they are (they are what AVA itself saw);
 * - each device trust provider fed by the verified device token (`deviceContexts[provider]`, else the
 *   folder's provider of the token's format), with the token's own claims. An untrusted or missing
 *   device token gives no device data, as a device without the agent gives AVA none.
 * Everything goes through the same conformance check as the scenarios: only documented, Cedar-safe
 * values reach Cedar; a claim that does not fit is left out (a policy reading it fails, and denies).
 */

/** JWT mechanics, not facts about the user: UserInfo does not return them (OIDC Core §5.3.2). */
const TOKEN_MECHANICS = new Set(["iss", "aud", "exp", "iat", "nbf", "jti", "azp", "scope", "scp", "client_id", "cid", "token_use", "auth_time", "at_hash", "c_hash", "nonce", "sid", "typ", "amr", "acr", "ver"]);

export function createAvaQueryBuilder(config: PdpConfig, va: VerifiedAccessConfig, manifest: AvaManifest): QueryBuilder {
  const limits = config.limits;
  const bounds = ztpdpClaimBounds(config);
  const userRef = (issuerName: string): TrustProvider | undefined => {
    const ref = va.userContexts[issuerName] ?? manifest.guaranteedUserRef;
    return ref === undefined ? undefined : manifest.byRef.get(ref);
  };
  const deviceRef = (providerName: string): TrustProvider | undefined => {
    const mapped = va.deviceContexts[providerName];
    if (mapped !== undefined) return manifest.byRef.get(mapped);
    const format = config.devicePosture.providers.find((p) => p.name === providerName)?.format;
    const candidates = manifest.providers.filter((p) => p.kind === "device" && p.type === format);
    return candidates.length === 1 ? candidates[0] : undefined;
  };
  const groupClaimOf = (issuerName: string): ClaimPath | null => {
    const issuer = config.issuers.find((i) => i.name === issuerName);
    if (issuer) return issuer.groupClaim;
    return va.signedHeader?.name === issuerName ? va.signedHeader.groupClaim : "groups";
  };

  return ({ identity, posture, request, nowSeconds }) => {
    // API Gateway's own domain name (request.host), never the client's Host header: AVA's hostname is the
    // application domain it terminated TLS for, not a value the client picks.
    const host = (request.host ?? "").toLowerCase().replace(/:\d+$/, "");
    const http = httpRequestOf({
      http_method: request.method,
      hostname: host,
      path: request.ava?.path ?? request.routeTemplate,
      query: request.ava?.query ?? "",
      x_forwarded_for: request.ava?.forwardedFor ?? "",
      port: request.ava?.port ?? 443,
      user_agent: request.userAgent ?? "",
      client_ip: request.sourceIp ?? "",
    });
    const provider = userRef(identity.issuerName);
    const fromHeader = va.signedHeader !== undefined && identity.issuerName === va.signedHeader.name;
    const user = provider ? userData(provider, identity, posture, fromHeader, groupClaimOf(identity.issuerName), bounds) : undefined;
    const devices: AvaProviderData[] = [];
    const device = posture.failure || !posture.claims ? undefined : deviceRef(posture.posture.provider);
    if (device) devices.push({ ref: device.ref, type: device.type, claims: { ...posture.claims } });
    const { context } = buildAvaContext(
      { request: http, ...(user ? { user } : {}), devices },
      { nowSeconds, maxString: limits.maxClaimStringLength, maxItems: limits.maxGroups },
    );
    return avaQuery(context);
  };
}

function userData(
  provider: TrustProvider,
  identity: VerifiedIdentity,
  posture: PostureResult,
  fromHeader: boolean,
  groupClaim: ClaimPath | null,
  bounds: { maxGroups: number; maxBytes: number },
): AvaProviderData {
  const claims = identity.claims ?? {};
  const at = (type: ProviderType, value: Record<string, unknown>): AvaProviderData => ({ ref: provider.ref, type, claims: value });
  // The group names as the IdP sent them (the identity's groups carry the entity id prefix).
  const raw = groupClaim === null ? undefined : readClaim(claims as Record<string, unknown>, groupClaim);
  const groups = Array.isArray(raw) ? raw.filter((g): g is string => typeof g === "string") : [];
  const emailVerified = claims.email_verified === true;
  switch (provider.type) {
    case "iam-identity-center":
      if (fromHeader && typeof claims.user === "object") return at(provider.type, { user: claims.user, groups: {} });
      return at(
        provider.type,
        idcClaims({
          userId: identity.subject,
          userName: stringClaim(claims, "preferred_username") ?? stringClaim(claims, "username") ?? identity.subject,
          email: identity.email ?? "",
          emailVerified,
          groups: groups.map((g) => ({ id: g, name: g })),
        }),
      );
    case "ztpdp":
      if (fromHeader) return at(provider.type, { ...claims });
      return at(
        provider.type,
        // Claims that cannot fit AVA's quota give no user context: the trust provider refuses that sign-in.
        (ztpdpClaims({ identity, groups, emailVerified, posture: posture.posture, untrustedReason: posture.failure?.code }, bounds) ?? {}) as Record<string, unknown>,
      );
    default: {
      if (fromHeader) return at(provider.type, { ...claims });
      const userinfo = Object.fromEntries(Object.entries(claims).filter(([k]) => !TOKEN_MECHANICS.has(k)));
      return at(provider.type, { ...userinfo, additional_user_context: { ...claims } });
    }
  }
}

function stringClaim(claims: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = claims[name];
  return typeof v === "string" && v.length > 0 ? v : undefined;
}
