import { buildKeys } from "./build/keys.js";
import type { Endpoint } from "./deps.js";
import { json } from "./http.js";
import { ENDPOINT_PATHS } from "./paths.js";
import type { Route } from "./route.js";

/** Relying parties cache metadata and keys; 5 minutes bounds how long a rotation step takes to be seen. */
const CACHEABLE = { "cache-control": "public, max-age=300" };


/**
 * OpenID Provider Metadata (OpenID Connect Discovery 1.0 §3). AVA itself is configured with explicit
 * endpoints (it has no discovery field), but other clients and operators read this.
 */
export const discovery: Endpoint = async (_req, deps) => {
  const algs = [...new Set(deps.keys.jwks.keys.map((k) => k.alg))];
  return {
    response: json(
      200,
      {
        issuer: deps.issuer,
        authorization_endpoint: deps.issuer + ENDPOINT_PATHS.authorize,
        token_endpoint: deps.issuer + ENDPOINT_PATHS.token,
        userinfo_endpoint: deps.issuer + ENDPOINT_PATHS.userinfo,
        jwks_uri: deps.issuer + ENDPOINT_PATHS.jwks,
        response_types_supported: ["code"],
        response_modes_supported: ["query"],
        grant_types_supported: ["authorization_code", "refresh_token"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: algs,
        token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
        code_challenge_methods_supported: ["S256"],
        scopes_supported: ["openid", "email", "profile", "groups"],
        claims_supported: ["sub", "email", "email_verified", "groups", "groups_truncated", "mfa", "idp", "device", "risk"],
        authorization_response_iss_parameter_supported: true,
        request_parameter_supported: false,
        request_uri_parameter_supported: false,
      },
      CACHEABLE,
    ),
  };
};

export const jwks: Endpoint = async (_req, deps) => ({ response: json(200, deps.keys.jwks, CACHEABLE) });

export const discoveryRoute: Route = { path: ENDPOINT_PATHS.discovery, methods: ["GET"], endpoint: discovery, needs: { keys: buildKeys } };
export const jwksRoute: Route = { path: ENDPOINT_PATHS.jwks, methods: ["GET"], endpoint: jwks, needs: { keys: buildKeys } };
