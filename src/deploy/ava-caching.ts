import { loadConfig } from "../config/load.js";

/**
 * Authorizer result caching and Verified Access do not mix: API Gateway reuses a cached result for every
 * request with the same identity-source values (scripts/authorizer-cache.cjs), but an AVA-mode decision
 * also reads the request path, the query string and X-Forwarded-For/-Port, which no cache key can hold
 * whole (a query string is keyed per named parameter only), and a request identified by AVA's signed
 * header is decided on that header, not on the Authorization header every key starts with. A cached
 * allow would be reused for requests it never decided, so packaging refuses a TTL above 0 for such a
 * config (https://docs.aws.amazon.com/apigateway/latest/developerguide/configure-api-gateway-lambda-authorization.html).
 * Undefined when caching is off or the config uses no Verified Access feature; an unreadable config is
 * left to staging, which lists its problems.
 */
export function verifiedAccessCachingRefusal(configFile: string, authorizerTtl: unknown): string | undefined {
  if (!(Number(authorizerTtl ?? 0) > 0)) return undefined;
  let va;
  try {
    va = loadConfig(configFile).config.verifiedAccess;
  } catch {
    return undefined;
  }
  if (!va || (va.policyDir === undefined && va.signedHeader === undefined)) return undefined;
  const uses = [va.policyDir !== undefined ? "AVA mode (verifiedAccess.policyDir)" : "", va.signedHeader ? "AVA's signed header (verifiedAccess.signedHeader)" : ""].filter(Boolean).join(" and ");
  return (
    `ZTPDP_AUTHORIZER_TTL=${String(authorizerTtl)} is refused: the config uses ${uses}, whose decisions read request inputs ` +
    "API Gateway cannot key its authorizer cache on (the path, the query string, X-Forwarded-For, the signed header), so a cached " +
    "result would be reused for requests it did not decide. Keep ZTPDP_AUTHORIZER_TTL at 0 with Verified Access."
  );
}
