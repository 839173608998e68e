// Authorizer result caching, resolved when serverless.yml is read (`serverless package` / `deploy`):
// serverless.yml takes each authorizer's TTL and identity sources from here (`${file(...):rest.ttl}`).
//
// A cached authorizer result is reused, without calling the Lambda, for every request with the same
// identity-source values (the cache key), so the key must hold every request input the decision reads.
// With TTL 0 (the default) nothing is cached and the Authorization header alone is the identity source.
// With a TTL, the identity sources become every decision input API Gateway can key on:
//   token, device token, method, route, source IP, the domain name (context.network.host),
//   the user agent, and, on a PRIVATE REST API, the VPC endpoint.
// Where API Gateway cannot key on an input, caching is refused here, with the reason:
//   - TOKEN authorizers key on the token alone (not the method or route the decision reads).
//
// Identity sources: https://docs.aws.amazon.com/apigateway/latest/api/API_CreateAuthorizer.html (REST:
// header, query string, stage variable and context mapping expressions; all must be present and non-empty
// or API Gateway answers 401 itself) and https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html
// (HTTP APIs: `$request.header.*`, `$context.*`; a simple response applies to every request with the key).
"use strict";

const MAX_TTL_SECONDS = 3600; // API Gateway's limit for authorizer result caching

const REST_CACHE_KEY = [
  "method.request.header.Authorization",
  "method.request.header.X-Device-Token",
  "context.httpMethod",
  "context.resourcePath",
  "context.identity.sourceIp",
  "context.domainName",
  "context.identity.userAgent",
];
/** Only private APIs have a VPC endpoint (`requestContext.identity.vpceId`); elsewhere it is always empty. */
const REST_PRIVATE_CACHE_KEY = [...REST_CACHE_KEY, "context.identity.vpceId"];
/** HTTP APIs have no private endpoints; `$context.routeKey` is the method and the route template. */
const HTTP_CACHE_KEY = [
  "$request.header.Authorization",
  "$request.header.X-Device-Token",
  "$context.routeKey",
  "$context.identity.sourceIp",
  "$context.domainName",
  "$context.identity.userAgent",
];

function ttlOf(value, variable) {
  const ttl = Number(value ?? 0);
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) {
    throw new Error(`${variable} must be a whole number of seconds from 0 to ${MAX_TTL_SECONDS}, not \`${value}\``);
  }
  return ttl;
}

/** Pure: the TTL and identity sources of each authorizer type, or a thrown reason why it cannot be cached. */
const authorizerCache = {
  rest(ttlValue, endpointType) {
    const ttl = ttlOf(ttlValue, "ZTPDP_AUTHORIZER_TTL");
    if (ttl === 0) return { ttl, identitySource: "method.request.header.Authorization" };
    const key = String(endpointType ?? "EDGE").toUpperCase() === "PRIVATE" ? REST_PRIVATE_CACHE_KEY : REST_CACHE_KEY;
    return { ttl, identitySource: key.join(", ") };
  },
  token(ttlValue) {
    const ttl = ttlOf(ttlValue, "ZTPDP_TOKEN_AUTHORIZER_TTL");
    if (ttl !== 0) {
      throw new Error(
        `ZTPDP_TOKEN_AUTHORIZER_TTL=${ttl} is refused: API Gateway keys a TOKEN authorizer's cache on the token alone, but the decision ` +
          "also depends on the method and the route, so a cached result would be reused for requests it did not decide. " +
          "Keep the TOKEN authorizer at 0, or cache a REQUEST authorizer (ZTPDP_AUTHORIZER_TTL), whose key holds every decision input.",
      );
    }
    return { ttl, identitySource: "method.request.header.Authorization" };
  },
  http(ttlValue) {
    const ttl = ttlOf(ttlValue, "ZTPDP_AUTHORIZER_TTL");
    return { ttl, identitySource: ttl === 0 ? ["$request.header.Authorization"] : [...HTTP_CACHE_KEY] };
  },
};

module.exports = {
  authorizerCache,
  // The serverless.yml entry points: `${file(./scripts/authorizer-cache.cjs):rest.identitySource}` etc.
  rest: async ({ resolveVariable, resolveConfigurationProperty }) =>
    authorizerCache.rest(await resolveVariable("self:custom.authorizerTtl"), await resolveConfigurationProperty(["provider", "endpointType"])),
  token: async ({ resolveVariable }) => authorizerCache.token(await resolveVariable("self:custom.tokenAuthorizerTtl")),
  http: async ({ resolveVariable }) => authorizerCache.http(await resolveVariable("self:custom.authorizerTtl")),
};
