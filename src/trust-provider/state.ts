import type { AuditRecord } from "../audit/record.js";
import type { UserinfoClaims } from "./claims.js";

/** What the trust provider keeps in its table (src/trust-provider/store.ts), one shape per item kind. */

/** A login in progress at the corporate IdP, keyed by the `state` we sent there. */
export interface LoginItem {
  clientId: string;
  redirectUri: string;
  scope: string;
  /** AVA's own `state` and `nonce`, echoed back; PKCE challenge if AVA sent one. */
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  /** The device token presented on the authorize request, verified at the callback (once the user is known). */
  deviceToken?: string;
  upstream: { nonce: string; codeVerifier: string };
}

/** Who a session belongs to, as the audit record names it. */
export interface SessionWho {
  principal: { type: string; id: string };
  groups: string[];
  identity: AuditRecord["identity"];
  device: AuditRecord["device"];
}

export interface SessionItem {
  clientId: string;
  /** The scope AVA asked for (always includes `openid`). */
  scope: string;
  claims: UserinfoClaims;
  /** Epoch seconds of the upstream login (OIDC `auth_time`). */
  authTime: number;
  /**
   * Epoch seconds after which the session's posture is too old (observed-at + maximum posture age, or the
   * login + maximum age without verified posture). No token outlives it, and no refresh passes it.
   */
  postureDeadline: number;
  who: SessionWho;
}

/** An authorization code, keyed by the code; single use. */
export interface CodeItem {
  clientId: string;
  redirectUri: string;
  nonce?: string;
  codeChallenge?: string;
  sessionId: string;
}

/** A redeemed code, so a replay can revoke what it issued (RFC 6749 §4.1.2). */
export interface SpentCodeItem {
  sessionId: string;
}

export interface AccessItem {
  sessionId: string;
  clientId: string;
  claims: UserinfoClaims;
}

export interface RefreshItem {
  sessionId: string;
  clientId: string;
  /** Epoch seconds the refresh token stops working; the item itself lives a little longer (see RECORD_GRACE_SECONDS). */
  notAfter: number;
}

/**
 * Sessions and refresh tokens are kept this long past their end, so a late refresh is answered with the
 * true reason (`session_posture_stale`) rather than "unknown token". They can no longer be used.
 */
export const RECORD_GRACE_SECONDS = 3600;
