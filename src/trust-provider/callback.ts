import { deviceSummary } from "../audit/device-summary.js";
import { identitySummary } from "../audit/identity-summary.js";
import type { IdentityResult, VerifiedIdentity } from "../identity/types.js";
import type { PostureResult } from "../posture/types.js";
import { buildStore } from "./build/store.js";
import { buildUpstream } from "./build/upstream.js";
import { buildIdentity, buildPosture } from "./build/verifiers.js";
import { buildClaims } from "./claims.js";
import type { AuditFacts, Endpoint, Handled, TrustProviderDeps } from "./deps.js";
import { json, NO_STORE, parseParams, redirect, withQuery } from "./http.js";
import { ENDPOINT_PATHS } from "./paths.js";
import type { Route } from "./route.js";
import { RECORD_GRACE_SECONDS, type CodeItem, type LoginItem, type SessionItem, type SessionWho } from "./state.js";
import { randomToken } from "./tokens.js";
import { UpstreamLoginError, UpstreamUnavailableError } from "./upstream.js";

/**
 * The corporate IdP's redirect back to us (`<issuer>/oauth2/callback`). The login item is taken (single
 * use), the code redeemed through openid-client, the ID token verified by this project's identity
 * verifier, the device token verified and bound to that user exactly as the authorizer does, and the
 * session created. AVA gets an authorization code on its redirect URI, with its `state` and our `iss`
 * (RFC 9207). Every outcome is one audit record.
 */
export const callback: Endpoint = async (req, deps) => {
  const params = parseParams(req.rawQuery);
  const state = params.ok ? params.get("state") : undefined;
  const nowSeconds = Math.floor(deps.now() / 1000);
  const login = state === undefined ? undefined : await deps.store.take<LoginItem>("login", state, nowSeconds);
  if (!login || !params.ok) {
    // Unknown, expired or replayed: we no longer know where to send the browser.
    return {
      response: json(400, { error: "invalid_request", error_description: "this sign-in expired or was already completed; start again from the application" }, { ...NO_STORE }),
      audit: { action: "login", outcome: "unauthenticated", errors: [{ code: "login_unknown", message: "callback with an unknown, expired or used login state" }] },
    };
  }
  const back = (error: string, description: string, audit: Omit<AuditFacts, "action" | "clientId">): Handled => ({
    response: redirect(withQuery(login.redirectUri, { error, error_description: description, state: login.state, iss: deps.issuer })),
    audit: { action: "login", clientId: login.clientId, ...audit },
  });
  const upstreamError = params.get("error");
  if (upstreamError !== undefined) {
    return back("access_denied", "the identity provider did not sign the user in", {
      outcome: "unauthenticated",
      errors: [{ code: "upstream_login_failed", message: `identity provider answered error \`${upstreamError.slice(0, 64)}\`` }],
    });
  }

  let idToken: string;
  try {
    const callbackUrl = new URL(`${deps.issuer}/oauth2/callback?${req.rawQuery}`);
    ({ idToken } = await deps.upstream.finish(callbackUrl, { state: state!, nonce: login.upstream.nonce, codeVerifier: login.upstream.codeVerifier }));
  } catch (err) {
    if (err instanceof UpstreamLoginError) {
      return back("access_denied", "the identity provider's answer failed its checks", { outcome: "unauthenticated", errors: [{ code: "upstream_login_failed", message: err.message }] });
    }
    if (err instanceof UpstreamUnavailableError) {
      return back("temporarily_unavailable", "the identity provider is unavailable", { outcome: "error", errors: [{ code: "upstream_unavailable", message: err.message }] });
    }
    throw err;
  }

  const verified: IdentityResult = await deps.identity.verify(idToken);
  if (!verified.ok) {
    return back("access_denied", "the identity provider's ID token was not accepted", {
      outcome: verified.code === "jwks_unavailable" ? "error" : "unauthenticated",
      identity: {
        ...(verified.issuerName ? { issuer: verified.issuerName } : {}),
        ...(verified.claimedIssuer !== undefined ? { claimedIssuer: verified.claimedIssuer } : {}),
        ...(verified.tokenFingerprint ? { tokenFingerprint: verified.tokenFingerprint } : {}),
        ...(verified.kid !== undefined ? { kid: verified.kid } : {}),
      },
      errors: [{ code: verified.code, message: verified.message }],
    });
  }
  const identity = verified.identity;
  const posture = await deps.posture.verify(login.deviceToken, identity, nowSeconds);
  const who = sessionWho(identity, posture);
  if (deps.config.requireDevice && !posture.posture.verified) {
    return back("access_denied", "a verified device is required to sign in", {
      outcome: "deny",
      who,
      errors: [{ code: "device_required", message: `no verified device posture (${posture.failure?.code ?? "unverified"})` }],
    });
  }

  const built = buildClaims({
    identity,
    groups: groupNames(identity, deps),
    emailVerified: identity.email !== undefined && claimOf(idToken, "email_verified") === true,
    posture: posture.posture,
    untrustedReason: posture.failure?.code,
    maxGroups: deps.config.claims.maxGroups,
    maxBytes: deps.config.claims.maxBytes,
  });
  if (!built.ok) {
    return back("server_error", "the user's claims do not fit the size limit", {
      outcome: "error",
      who,
      errors: [{ code: "claims_too_large", message: `claims need ${built.bytes} bytes without groups, the budget is ${deps.config.claims.maxBytes}` }],
    });
  }
  // Without verified posture there is nothing to go stale, but the session is held to the same horizon so
  // a user who fixes the device is re-evaluated as soon as posture would have been.
  const postureDeadline = (posture.posture.verified ? posture.posture.observedAt : nowSeconds) + deps.postureMaxAgeSeconds;
  const session: SessionItem = {
    clientId: login.clientId,
    scope: login.scope,
    claims: built.claims,
    authTime: identity.issuedAt,
    postureDeadline,
    who,
  };
  const sessionId = randomToken();
  const code = randomToken();
  const codeItem: CodeItem = {
    clientId: login.clientId,
    redirectUri: login.redirectUri,
    sessionId,
    ...(login.nonce !== undefined ? { nonce: login.nonce } : {}),
    ...(login.codeChallenge !== undefined ? { codeChallenge: login.codeChallenge } : {}),
  };
  const sessionExpiresAt = Math.min(postureDeadline, nowSeconds + deps.config.lifetimes.refreshTokenSeconds);
  await deps.store.put("session", sessionId, session, postureDeadline + RECORD_GRACE_SECONDS);
  await deps.store.put("code", code, codeItem, nowSeconds + deps.config.lifetimes.codeSeconds);
  return {
    response: redirect(withQuery(login.redirectUri, { code, state: login.state, iss: deps.issuer })),
    audit: { action: "login", outcome: "allow", clientId: login.clientId, who, errors: [], risk: built.claims.risk, sessionExpiresAt },
  };
};

function sessionWho(identity: VerifiedIdentity, posture: PostureResult): SessionWho {
  return {
    principal: { ...identity.principal },
    groups: identity.groups.map((g) => g.id),
    identity: identitySummary(identity),
    device: deviceSummary(posture),
  };
}

/** Group names as the IdP sent them: the identity layer prefixes entity ids with `<entityIdPrefix>|`. */
function groupNames(identity: VerifiedIdentity, deps: TrustProviderDeps): string[] {
  const prefix = deps.upstreamEntityIdPrefix;
  return identity.groups.map((g) => (prefix !== undefined && g.id.startsWith(`${prefix}|`) ? g.id.slice(prefix.length + 1) : g.id));
}

/** A claim of a token that has just passed verification (the identity layer keeps string claims only). */
function claimOf(verifiedToken: string, name: string): unknown {
  const payload = JSON.parse(Buffer.from(verifiedToken.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

export const callbackRoute: Route = {
  path: ENDPOINT_PATHS.callback,
  methods: ["GET"],
  endpoint: callback,
  needs: { store: buildStore, upstream: buildUpstream, identity: buildIdentity, posture: buildPosture },
  action: "login",
};
