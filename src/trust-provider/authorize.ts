import { DEVICE_TOKEN_HEADER } from "../adapters/apigateway/authorizer.js";
import { buildStore } from "./build/store.js";
import { buildUpstream } from "./build/upstream.js";
import type { Endpoint, Handled } from "./deps.js";
import { ENDPOINT_PATHS } from "./paths.js";
import { formBody, json, NO_STORE, parseParams, redirect, withQuery } from "./http.js";
import type { Route } from "./route.js";
import type { LoginItem } from "./state.js";
import { UpstreamUnavailableError } from "./upstream.js";

/** RFC 7636 §4.1/4.2: 43-128 characters of the unreserved set. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;
/** `state`/`nonce` are opaque to us; bounded so a stored login stays small. */
const MAX_OPAQUE = 512;

/**
 * The authorization endpoint (OpenID Connect Core §3.1.2). AVA sends the browser here; a managed browser
 * extension or agent adds the device-posture token as the `x-device-token` header (the same header and
 * token formats as the API authorizers). The request is checked, remembered for the callback, and the
 * browser goes on to the corporate IdP.
 *
 * RFC 6749 §4.1.2.1: with an unknown client or a redirect URI that is not registered exactly, the error
 * is shown here and the browser is never redirected (an open redirector otherwise); every other error goes
 * back to the client's redirect URI with `state`.
 */
export const authorize: Endpoint = async (req, deps) => {
  // OIDC Core §3.1.2.1: the endpoint must support GET and POST (form).
  const params = req.method === "POST" ? formBody(req) : parseParams(req.rawQuery);
  if (!params.ok) return inPlace("invalid_request", params.message);
  const clientId = params.get("client_id");
  const client = clientId === undefined ? undefined : deps.clients.get(clientId);
  if (!client) return inPlace("invalid_request", "unknown client_id", "client_unknown");
  const redirectUri = params.get("redirect_uri");
  if (redirectUri === undefined || !client.redirectUris.includes(redirectUri)) {
    return inPlace("invalid_request", "redirect_uri is not registered for this client", "redirect_uri_invalid", clientId);
  }
  const state = params.get("state");
  const back = (error: string, description: string): Handled => ({
    response: redirect(withQuery(redirectUri, { error, error_description: description, state, iss: deps.issuer })),
  });
  if (state !== undefined && state.length > MAX_OPAQUE) return back("invalid_request", "state is too long");
  if (params.get("response_type") !== "code") return back("unsupported_response_type", "only response_type=code is supported");
  const scope = params.get("scope") ?? "";
  if (!scope.split(" ").includes("openid")) return back("invalid_scope", "scope must include openid");
  if (scope.length > MAX_OPAQUE) return back("invalid_scope", "scope is too long");
  const nonce = params.get("nonce");
  if (nonce !== undefined && nonce.length > MAX_OPAQUE) return back("invalid_request", "nonce is too long");
  if (params.get("request") !== undefined || params.get("request_uri") !== undefined) {
    return back("request_not_supported", "request objects are not supported");
  }
  const challenge = params.get("code_challenge");
  const method = params.get("code_challenge_method");
  if (challenge !== undefined) {
    // `plain` offers no protection against a stolen code; RFC 9700 §2.1.1 recommends S256.
    if (method !== "S256") return back("invalid_request", "code_challenge_method must be S256");
    if (!PKCE_VALUE.test(challenge)) return back("invalid_request", "code_challenge is malformed");
  } else if (method !== undefined) {
    return back("invalid_request", "code_challenge_method without code_challenge");
  }
  const loginHint = params.get("login_hint");
  const deviceToken = req.headers[DEVICE_TOKEN_HEADER];

  let start;
  try {
    start = await deps.upstream.start(loginHint !== undefined && loginHint.length <= 256 ? loginHint : undefined);
  } catch (err) {
    if (err instanceof UpstreamUnavailableError) {
      return {
        ...back("temporarily_unavailable", "the identity provider is unavailable"),
        audit: { action: "login", outcome: "error", clientId: client.clientId, errors: [{ code: "upstream_unavailable", message: err.message }] },
      };
    }
    throw err;
  }
  const login: LoginItem = {
    clientId: client.clientId,
    redirectUri,
    scope,
    upstream: { nonce: start.nonce, codeVerifier: start.codeVerifier },
    ...(state !== undefined ? { state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(challenge !== undefined ? { codeChallenge: challenge } : {}),
    // An oversized device token is dropped here: the login continues with the least-trusted posture.
    ...(deviceToken !== undefined && deviceToken.length <= deps.maxTokenBytes ? { deviceToken } : {}),
  };
  const nowSeconds = Math.floor(deps.now() / 1000);
  await deps.store.put("login", start.state, login, nowSeconds + deps.config.lifetimes.loginSeconds);
  return { response: redirect(start.url) };
};

function inPlace(error: string, description: string, code?: "client_unknown" | "redirect_uri_invalid", clientId?: string): Handled {
  const handled: Handled = { response: json(400, { error, error_description: description }, { ...NO_STORE }) };
  if (code) {
    handled.audit = { action: "login", outcome: "deny", ...(clientId ? { clientId } : {}), errors: [{ code, message: description }] };
  }
  return handled;
}

export const authorizeRoute: Route = {
  path: ENDPOINT_PATHS.authorize,
  methods: ["GET", "POST"],
  endpoint: authorize,
  needs: { store: buildStore, upstream: buildUpstream },
  action: "login",
};
