import { verifyJwt, type JwkToKeyObjectTransformerAsync } from "aws-jwt-verify/jwt-verifier";
import type { JwksConfig, JwtTrustConfig, LimitsConfig } from "../config/schema.js";
import { isSupportedAlgorithm } from "./algorithms.js";
import { IdentityConfigError } from "./errors.js";
import { tokenFingerprint } from "./fingerprint.js";
import { fetchJwksJson } from "./jwks-fetch.js";
import { TtlJwksCache } from "./jwks-cache.js";
import { checkJwksUri } from "./jwks-uri.js";
import { checkRegisteredClaims } from "./jwt-claims.js";
import { decodeJwtStrict } from "./jwt-decode-guard.js";
import { mapVerifyError } from "./jwt-error-map.js";
import { checkHeaderForTrust, checkHeaderShape } from "./jwt-header.js";
import { createKeyObjectTransformer } from "./key-objects.js";
import type { IdentityFailureCode } from "./types.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";

/**
 * The generic JWT gate, shared by user tokens and device-posture tokens (each with its own trust list).
 * It knows issuers, keys, algorithms, types, audiences and times; it knows nothing of users or groups.
 *
 * Order matters and is the order of the checks below: size cap before any parsing; strict decoding;
 * header; issuer selection by exact `iss`; header against that issuer; registered claims; only then the
 * signature, by aws-jwt-verify with our JWKS cache (so no JWKS traffic for tokens refused earlier).
 * A token already verified (the exact same string) skips all of that except the claim checks, which run
 * again against the current clock (verified-token-cache.ts says why that stays fail-closed).
 */

export interface JwtVerifyOptions {
  limits: LimitsConfig;
  jwks: JwksConfig;
  allowInsecureLoopbackJwks: boolean;
  /** Epoch milliseconds; injectable for tests. Defaults to `Date.now`. */
  now?: () => number;
  /** Replaces the HTTP download of a JWKS (unit tests). Must resolve to the parsed JSON document. */
  fetchJson?: (uri: string) => Promise<unknown>;
  /**
   * How many successfully verified tokens to remember (verified-token-cache.ts); 0 turns the cache off.
   * Default 1000 (about 1 MB of token strings at most).
   */
  verifiedTokenCacheSize?: number;
  /**
   * Replaces the signature step for some issuers (the Cognito preset uses aws-jwt-verify's own Cognito
   * verifier, which also checks `token_use` and `client_id`). Return undefined for the generic step.
   */
  signatureCheck?: SignatureCheckFactory;
}

/** Verifies signature and claims of a token already past every check above; throws to refuse it. */
export type SignatureCheck = (token: string) => Promise<void>;
export type SignatureCheckFactory = (
  trust: JwtTrustConfig,
  keys: { cache: TtlJwksCache; toKeyObject: JwkToKeyObjectTransformerAsync; graceSeconds: number },
) => SignatureCheck | undefined;

export const DEFAULT_VERIFIED_TOKEN_CACHE_SIZE = 1000;

export type JwtCheckResult<T extends JwtTrustConfig = JwtTrustConfig> =
  | { ok: true; header: Record<string, unknown>; payload: Record<string, unknown>; trust: T; fingerprint: string }
  | {
      ok: false;
      code: IdentityFailureCode;
      message: string;
      fingerprint: string;
      /** Raw, unescaped header `kid` when it was a string: escaping is the audit layer's job. */
      kid?: string;
      /** `iss` as claimed by the token (unverified unless the failure came after the signature). */
      issuer?: string;
    };

export interface MultiIssuerJwtVerifier<T extends JwtTrustConfig = JwtTrustConfig> {
  verify(token: string): Promise<JwtCheckResult<T>>;
  /** Prefetch every issuer's JWKS (cold start). Never rejects: an issuer that is down is retried on demand. */
  hydrate(): Promise<void>;
}

export function createMultiIssuerJwtVerifier<T extends JwtTrustConfig>(
  trusts: T[],
  opts: JwtVerifyOptions,
): MultiIssuerJwtVerifier<T> {
  const byIssuer = validateTrusts(trusts, opts.allowInsecureLoopbackJwks);
  const now = opts.now ?? Date.now;
  const fetchJson =
    opts.fetchJson ??
    ((uri: string) =>
      fetchJwksJson(uri, {
        timeoutMs: opts.jwks.timeoutMs,
        maxResponseBytes: opts.jwks.maxResponseBytes,
        allowInsecureLoopback: opts.allowInsecureLoopbackJwks,
      }));
  // One cache per verifier (keyed by JWKS URI), created once: create the verifier outside the handler.
  const cache = new TtlJwksCache({ jwks: opts.jwks, now, fetchJson });
  const getJwk = cache.getJwk.bind(cache);
  const toKeyObject = createKeyObjectTransformer();
  const graceSeconds = opts.limits.clockSkewSeconds;
  const customChecks = new Map<T, SignatureCheck>();
  for (const trust of trusts) {
    const check = opts.signatureCheck?.(trust, { cache, toKeyObject, graceSeconds });
    if (check) customChecks.set(trust, check);
  }
  const verified = new VerifiedTokenCache<Extract<JwtCheckResult<T>, { ok: true }>>(opts.verifiedTokenCacheSize ?? DEFAULT_VERIFIED_TOKEN_CACHE_SIZE);

  async function verify(token: string): Promise<JwtCheckResult<T>> {
    if (typeof token !== "string") {
      return { ok: false, code: "token_malformed", message: "token is not a string", fingerprint: "" };
    }
    const nowMs = now();
    const hit = verified.get(token, nowMs);
    // A hit still passes every time-dependent claim check against the current clock; if one fails, the
    // full path below runs and reports it exactly as it would have without the cache.
    if (hit !== undefined && checkRegisteredClaims(hit.payload, hit.trust, opts.limits, nowMs).ok) return hit;
    const fingerprint = tokenFingerprint(token);
    const decoded = decodeJwtStrict(token, opts.limits.maxTokenBytes);
    if (!decoded.ok) return failure(decoded.code, decoded.message, fingerprint, decoded.header);
    const { header, payload, signature } = decoded;
    const refuse = (r: { code: IdentityFailureCode; message: string }): JwtCheckResult<T> =>
      failure(r.code, r.message, fingerprint, header, payload);

    const shape = checkHeaderShape(header);
    if (!shape.ok) return refuse(shape);
    if (signature === "") return refuse({ code: "token_signature_invalid", message: "signature is empty" });

    const iss = payload.iss;
    if (iss === undefined) return refuse({ code: "token_issuer_unknown", message: "claim `iss` is missing" });
    if (typeof iss !== "string") return refuse({ code: "token_claims_invalid", message: "claim `iss` is not a string" });
    const trust = byIssuer.get(iss);
    if (trust === undefined) return refuse({ code: "token_issuer_unknown", message: "issuer is not configured" });

    const forTrust = checkHeaderForTrust(header, trust);
    if (!forTrust.ok) return refuse(forTrust);
    const claims = checkRegisteredClaims(payload, trust, opts.limits, now());
    if (!claims.ok) return refuse(claims);

    try {
      // The library re-checks iss, aud, exp, nbf (against the real clock, Date.now, not our `now`: it can
      // only refuse more, never accept more) and does the signature crypto with the key our cache returns.
      const custom = customChecks.get(trust);
      if (custom) await custom(token);
      else {
        const audience = trust.audiences.length > 0 ? [...trust.audiences] : null;
        await verifyJwt(token, trust.jwksUri, { issuer: issuersOf(trust), audience, graceSeconds }, getJwk, toKeyObject);
      }
    } catch (err) {
      return refuse(mapVerifyError(err));
    }
    const result = { ok: true as const, header, payload, trust, fingerprint };
    // `exp` is required and numeric (checkRegisteredClaims); the entry expires with the keys' freshness.
    verified.set(token, result, now(), payload.exp as number, cache.freshUntil(trust.jwksUri));
    return result;
  }

  async function hydrate(): Promise<void> {
    await cache.hydrate(trusts.map((t) => t.jwksUri));
  }

  return { verify, hydrate };
}

/** Start-up checks: anything wrong here is configuration, so it throws (loudly, once). */
function validateTrusts<T extends JwtTrustConfig>(trusts: T[], allowInsecureLoopback: boolean): Map<string, T> {
  if (trusts.length === 0) throw new IdentityConfigError("at least one trusted issuer is required");
  const byIssuer = new Map<string, T>();
  for (const trust of trusts) {
    for (const iss of issuersOf(trust)) {
      if (byIssuer.has(iss)) {
        // Selection is by exact `iss`; two entries would make the choice of keys and audiences ambiguous.
        throw new IdentityConfigError(`issuer \`${iss}\` is configured more than once`);
      }
      byIssuer.set(iss, trust);
    }
    checkJwksUri(trust.jwksUri, allowInsecureLoopback);
    for (const alg of trust.algorithms) {
      if (!isSupportedAlgorithm(alg)) {
        // The config schema refuses these already; a trust built in code must not get further either.
        throw new IdentityConfigError(`algorithm \`${alg}\` for issuer \`${trust.issuer}\` is not supported by the verifier`);
      }
    }
  }
  return byIssuer;
}

/** The exact `iss` values a trust accepts: its issuer and any aliases (Google's two forms, Cognito's two forms). */
function issuersOf(trust: JwtTrustConfig & { issuerAliases?: readonly string[] }): string[] {
  return [trust.issuer, ...(trust.issuerAliases ?? [])];
}

function failure<T extends JwtTrustConfig>(
  code: IdentityFailureCode,
  message: string,
  fingerprint: string,
  header?: Record<string, unknown>,
  payload?: Record<string, unknown>,
): JwtCheckResult<T> {
  const result: JwtCheckResult<T> = { ok: false, code, message, fingerprint };
  if (typeof header?.kid === "string") result.kid = header.kid;
  if (typeof payload?.iss === "string") result.issuer = payload.iss;
  return result;
}
