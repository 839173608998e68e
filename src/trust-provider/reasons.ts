/**
 * Reason codes of the trust provider, in the one namespace of `ReasonCode` (src/decision/types.ts):
 * dashboards and alarms key on them. Lowercase snake case, stable.
 */
export type TrustProviderReasonCode =
  | "client_unknown" // no such client_id: the authorize request is answered in place, never redirected
  | "client_auth_failed" // wrong or missing client secret, or two authentication methods at once
  | "redirect_uri_invalid" // not one of the client's exact redirect URIs
  | "grant_invalid" // code or refresh token unknown, expired, already used, or issued to another client
  | "code_replayed" // a redeemed code presented again: its session is revoked (RFC 6749 §4.1.2)
  | "pkce_invalid" // code_verifier missing, unexpected or wrong (RFC 7636 §4.6)
  | "session_posture_stale" // refresh after the device posture's maximum age: AVA must send the user back
  | "session_revoked" // the session behind a token is gone
  | "login_unknown" // the corporate IdP came back with an unknown or expired login state
  | "upstream_login_failed" // the corporate IdP refused the login or returned an unusable answer
  | "upstream_unavailable" // the corporate IdP could not be reached
  | "device_required" // `requireDevice` is set and no verified device posture came with the login
  | "claims_too_large" // the claims do not fit the userinfo budget even without groups
  | "store_unavailable"; // the state table could not be reached
