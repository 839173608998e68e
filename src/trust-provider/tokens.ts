import { randomBytes } from "node:crypto";
import type { TrustProviderConfig } from "./config-schema.js";
import type { SigningKeySet } from "./signing-keys.js";
import { RECORD_GRACE_SECONDS, type AccessItem, type RefreshItem, type SessionItem } from "./state.js";
import type { TrustStore } from "./store.js";

/** 256 bits from the CSPRNG, base64url: codes and tokens (RFC 6749 §10.10; RFC 6819 §5.1.4.2.2). */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export interface Lifetimes {
  accessExpiresAt: number;
  refreshExpiresAt: number;
}

/**
 * Sessions never outlive posture: every token expires at the latest when the posture that admitted the
 * session becomes too old, so AVA, which refreshes when the access token expires and sends the user back
 * to sign in when a refresh fails, must return (through a browser that presents fresh posture) in time.
 */
export function lifetimes(config: TrustProviderConfig, session: SessionItem, nowSeconds: number): Lifetimes {
  return {
    accessExpiresAt: Math.min(nowSeconds + config.lifetimes.accessTokenSeconds, session.postureDeadline),
    refreshExpiresAt: Math.min(nowSeconds + config.lifetimes.refreshTokenSeconds, session.postureDeadline),
  };
}

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  id_token: string;
  refresh_token: string;
  /** Non-standard (Keycloak's name); tells a client when the refresh token, and so the session, ends. */
  refresh_expires_in: number;
  scope: string;
}

/**
 * Issues an access token (opaque: only its hash is stored, and it stays small because ALB-style clients
 * count it against the 11 KB claim budget), a refresh token (rotated at every use) and an ID token.
 */
export async function issueTokens(
  deps: { config: TrustProviderConfig; store: TrustStore; keys: SigningKeySet; issuer: string },
  sessionId: string,
  session: SessionItem,
  nowSeconds: number,
  nonce: string | undefined,
): Promise<TokenResponse> {
  const { accessExpiresAt, refreshExpiresAt } = lifetimes(deps.config, session, nowSeconds);
  const accessToken = randomToken();
  const refreshToken = randomToken();
  const access: AccessItem = { sessionId, clientId: session.clientId, claims: session.claims };
  const refresh: RefreshItem = { sessionId, clientId: session.clientId, notAfter: refreshExpiresAt };
  // OpenID Connect Core §2: iss, sub, aud, exp, iat, auth_time, nonce (echoed when the request had one).
  const idToken = await deps.keys.sign({
    iss: deps.issuer,
    sub: session.claims.sub,
    aud: session.clientId,
    exp: accessExpiresAt,
    iat: nowSeconds,
    auth_time: session.authTime,
    ...(nonce !== undefined ? { nonce } : {}),
    ...(session.claims.email ? { email: session.claims.email, email_verified: session.claims.email_verified } : {}),
  });
  await Promise.all([
    deps.store.put("access", accessToken, access, accessExpiresAt),
    deps.store.put("refresh", refreshToken, refresh, refreshExpiresAt + RECORD_GRACE_SECONDS),
  ]);
  return {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: Math.max(0, accessExpiresAt - nowSeconds),
    id_token: idToken,
    refresh_token: refreshToken,
    refresh_expires_in: Math.max(0, refreshExpiresAt - nowSeconds),
    scope: session.scope,
  };
}
