/** Where each endpoint is served, relative to the issuer (the HTTP API routes in serverless.yml). */
export const ENDPOINT_PATHS = {
  discovery: "/.well-known/openid-configuration",
  jwks: "/oauth2/jwks",
  authorize: "/oauth2/authorize",
  callback: "/oauth2/callback",
  token: "/oauth2/token",
  userinfo: "/oauth2/userinfo",
} as const;
