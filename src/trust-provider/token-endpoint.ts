import { createHash, timingSafeEqual } from "node:crypto";
import { buildKeys } from "./build/keys.js";
import { buildStore } from "./build/store.js";
import { authenticateClient } from "./client-auth.js";
import type { AuditFacts, Endpoint, Handled, TrustProviderDeps } from "./deps.js";
import { formBody, json, NO_STORE, oauthError } from "./http.js";
import { ENDPOINT_PATHS } from "./paths.js";
import type { Route } from "./route.js";
import type { CodeItem, RefreshItem, SessionItem, SpentCodeItem } from "./state.js";
import { issueTokens } from "./tokens.js";

/**
 * The token endpoint (RFC 6749 §3.2, §4.1.3, §6; OIDC Core §3.1.3): `authorization_code` and
 * `refresh_token` grants for confidential clients authenticated with `client_secret_basic` or
 * `client_secret_post`. Codes and refresh tokens are single use (atomic conditional delete); a replayed
 * code revokes the session it created. A refresh after the posture deadline fails, so AVA must send the
 * user back through the authorize endpoint, where fresh posture is presented.
 */
export const token: Endpoint = async (req, deps) => {
  if (req.method !== "POST") return { response: oauthError(405, "invalid_request", "use POST", { allow: "POST" }) };
  const form = formBody(req);
  if (!form.ok) return { response: oauthError(400, "invalid_request", form.message) };
  const grantType = form.get("grant_type");
  const action = grantType === "refresh_token" ? "refresh" : "token";
  const auth = authenticateClient(deps.clients, req.headers.authorization, form);
  if (!auth.ok) {
    // RFC 6749 §5.2: 401 with a WWW-Authenticate matching the scheme the client used.
    return {
      response: oauthError(401, "invalid_client", "client authentication failed", auth.usedBasic ? { "www-authenticate": 'Basic realm="token"' } : {}),
      audit: { action, outcome: "unauthenticated", ...(auth.clientId ? { clientId: auth.clientId.slice(0, 128) } : {}), errors: [{ code: "client_auth_failed", message: auth.message }] },
    };
  }
  const clientId = auth.client.clientId;
  const nowSeconds = Math.floor(deps.now() / 1000);
  const refuse = (code: AuditFacts["errors"][number]["code"], message: string, who?: SessionItem["who"]): Handled => ({
    response: oauthError(400, "invalid_grant", message),
    audit: { action, outcome: "deny", clientId, clientAuth: auth.method, errors: [{ code, message }], ...(who ? { who } : {}) },
  });

  if (grantType === "authorization_code") {
    const code = form.get("code");
    if (code === undefined) return { response: oauthError(400, "invalid_request", "code is required") };
    const item = await deps.store.take<CodeItem>("code", code, nowSeconds);
    if (!item) {
      const spent = await deps.store.get<SpentCodeItem>("spent", code, nowSeconds);
      if (spent) {
        // RFC 6749 §4.1.2: a code used twice must be refused, and what it issued should be revoked.
        await deps.store.delete("session", spent.sessionId);
        return refuse("code_replayed", "the authorization code was already used; its session is revoked");
      }
      return refuse("grant_invalid", "the authorization code is invalid or expired");
    }
    const session = await deps.store.get<SessionItem>("session", item.sessionId, nowSeconds);
    await deps.store.put("spent", code, { sessionId: item.sessionId } satisfies SpentCodeItem, session?.postureDeadline ?? nowSeconds + 60);
    if (item.clientId !== clientId) return refuse("grant_invalid", "the authorization code was issued to another client");
    // RFC 6749 §4.1.3: redirect_uri must be present and identical when the authorization request had it.
    if (form.get("redirect_uri") !== item.redirectUri) return refuse("redirect_uri_invalid", "redirect_uri does not match the authorization request", session?.who);
    const pkce = checkPkce(item.codeChallenge, form.get("code_verifier"));
    if (pkce) return refuse("pkce_invalid", pkce, session?.who);
    if (!session) return refuse("session_revoked", "the session of this code is gone");
    if (nowSeconds >= session.postureDeadline) return refuse("session_posture_stale", "the device posture of this sign-in is already too old: sign in again", session.who);
    return issued(deps, action, clientId, auth.method, item.sessionId, session, nowSeconds, item.nonce);
  }

  if (grantType === "refresh_token") {
    const presented = form.get("refresh_token");
    if (presented === undefined) return { response: oauthError(400, "invalid_request", "refresh_token is required") };
    // Rotation (RFC 9700 §4.14.2): the presented refresh token is consumed whatever happens next.
    const item = await deps.store.take<RefreshItem>("refresh", presented, nowSeconds);
    if (!item || item.clientId !== clientId) return refuse("grant_invalid", "the refresh token is invalid, expired or already used");
    const session = await deps.store.get<SessionItem>("session", item.sessionId, nowSeconds);
    if (!session) return refuse("session_revoked", "the session is gone: sign in again");
    if (nowSeconds >= session.postureDeadline) {
      await deps.store.delete("session", item.sessionId);
      return refuse("session_posture_stale", "the device posture of this session is too old: sign in again", session.who);
    }
    if (nowSeconds >= item.notAfter) return refuse("grant_invalid", "the refresh token expired: sign in again", session.who);
    return issued(deps, action, clientId, auth.method, item.sessionId, session, nowSeconds, undefined);
  }

  return { response: oauthError(400, "unsupported_grant_type", "grant_type must be authorization_code or refresh_token") };
};

async function issued(
  deps: TrustProviderDeps,
  action: "token" | "refresh",
  clientId: string,
  clientAuth: string,
  sessionId: string,
  session: SessionItem,
  nowSeconds: number,
  nonce: string | undefined,
): Promise<Handled> {
  const tokens = await issueTokens(deps, sessionId, session, nowSeconds, nonce);
  return {
    response: json(200, tokens, { ...NO_STORE }),
    audit: {
      action,
      outcome: "allow",
      clientId,
      clientAuth,
      who: session.who,
      errors: [],
      risk: session.claims.risk,
      sessionExpiresAt: nowSeconds + tokens.refresh_expires_in,
    },
  };
}

/** RFC 7636 §4.6: S256 only; a verifier without a challenge is refused too (RFC 9700 §2.1.1). */
function checkPkce(challenge: string | undefined, verifier: string | undefined): string | undefined {
  if (challenge === undefined) return verifier === undefined ? undefined : "code_verifier was sent but the authorization request had no code_challenge";
  if (verifier === undefined) return "code_verifier is required";
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return "code_verifier is malformed";
  const computed = Buffer.from(createHash("sha256").update(verifier, "ascii").digest("base64url"));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected) ? undefined : "code_verifier does not match the code_challenge";
}

export const tokenRoute: Route = { path: ENDPOINT_PATHS.token, methods: ["POST"], endpoint: token, needs: { store: buildStore, keys: buildKeys }, action: "token" };
