import { verifyJwt } from "aws-jwt-verify/jwt-verifier";
import { issuerSchema, type IssuerConfig, type JwksConfig, type LimitsConfig } from "../../config/schema.js";
import { regionOfInstanceArn, type SignedHeaderConfig } from "../../config/verified-access.js";
import { IdentityConfigError } from "../errors.js";
import { tokenFingerprint } from "../fingerprint.js";
import { mapVerifiedClaims } from "../identity-claims.js";
import { checkJwksUri } from "../jwks-uri.js";
import { decodeJwtStrict } from "../jwt-decode-guard.js";
import { mapVerifyError } from "../jwt-error-map.js";
import { checkHeaderShape } from "../jwt-header.js";
import { createKeyObjectTransformer } from "../key-objects.js";
import { DEFAULT_VERIFIED_TOKEN_CACHE_SIZE } from "../jwt-verifier.js";
import { VerifiedTokenCache } from "../verified-token-cache.js";
import { shown } from "../message-value.js";
import type { IdentityFailureCode, IdentityResult } from "../types.js";
import { AvaKeyStore } from "./keys.js";

/**
 * AWS Verified Access's signed header `x-amzn-ava-user-context` as an identity source: a JWT that AVA
 * signs with ES384 after it authenticated the user, carrying the user claims it got from the trust
 * provider (https://docs.aws.amazon.com/verified-access/latest/ug/user-claims-passing.html).
 *
 * Checks, in this order, each a reason code and an audit record:
 * 1. size (AVA's header quota is 16 KB: verified-access-quotas.html), strict decoding;
 * 2. header `alg` exactly ES384 (`token_alg_not_allowed`), a `kid` in AWS's form (a UUID, so it can
 *    only ever name a key, never a path), no `crit`;
 * 3. header `signer` is one of our Verified Access instances (`token_signer_invalid`): AWS's step 1,
 *    before any key is fetched;
 * 4. header `iss` is an accepted issuer (`token_issuer_unknown`), and a payload `iss`, if any, agrees;
 * 5. header `exp` (AVA puts it in the header; 120 s) not past, not further ahead than
 *    `maxLifetimeSeconds` (`token_expired`, `token_lifetime_exceeded`); a payload `exp`, if any, too;
 * 6. the key of `kid` from the key service of the signer's region — the region comes from our
 *    configured instance ARN, never from the header — cached per key URL; unknown: `token_kid_unknown`;
 * 7. the ES384 signature (raw R||S, 96 bytes, RFC 7518 §3.4), by aws-jwt-verify (`token_signature_invalid`);
 * 8. the claims mapped to the principal like any issuer's (mapVerifiedClaims). IAM Identity Center's
 *    payload `{ user: { user_id, user_name, email: { address, verified } } }` is read as `sub` =
 *    `user_id`, `email`, `email_verified`, `preferred_username` = `user_name`; it carries no groups.
 */

/** AVA's header quota (verified-access-quotas.html): a larger header never came from AVA. */
export const AVA_HEADER_MAX_BYTES = 16_384;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AvaHeaderVerifierOptions {
  limits: LimitsConfig;
  jwks: JwksConfig;
  allowInsecureLoopback: boolean;
  now?: () => number;
  fetchText?: (url: string) => Promise<{ status: number; body: string }>;
}

export interface AvaHeaderVerifier {
  /** The header's value; never throws. */
  verify(token: string): Promise<IdentityResult>;
}

export function createAvaHeaderVerifier(config: SignedHeaderConfig, opts: AvaHeaderVerifierOptions): AvaHeaderVerifier {
  const now = opts.now ?? Date.now;
  const keyUrlOf = new Map<string, string>();
  for (const arn of config.instanceArns) {
    const region = regionOfInstanceArn(arn);
    if (!region) throw new IdentityConfigError(`\`${arn}\` is not a Verified Access instance ARN`);
    const base = config.keyUrl.replaceAll("{region}", region).replace(/\/+$/, "");
    checkJwksUri(base, opts.allowInsecureLoopback);
    keyUrlOf.set(arn, base);
  }
  const keys = new AvaKeyStore({
    timeoutMs: opts.jwks.timeoutMs,
    maxResponseBytes: opts.jwks.maxResponseBytes,
    unknownKidBackoffSeconds: config.unknownKidBackoffSeconds,
    now,
    allowInsecureLoopback: opts.allowInsecureLoopback,
    ...(opts.fetchText ? { fetchText: opts.fetchText } : {}),
  });
  const toKeyObject = createKeyObjectTransformer();
  // The claim mapping of any issuer (the schema's defaults), with this source's principal settings.
  const issuers = new Map<string, IssuerConfig>();
  const asIssuer = (iss: string): IssuerConfig => {
    let issuer = issuers.get(iss);
    if (!issuer) {
      issuer = issuerSchema.parse({
        name: config.name,
        issuer: iss,
        jwksUri: "https://verified-access.invalid/",
        audiences: ["verified-access"],
        algorithms: ["ES384"],
        types: ["JWT"],
        tokenUse: "id",
        groupClaim: config.groupClaim,
        principal: config.principal,
        services: { enabled: false },
      });
      issuers.set(iss, issuer);
    }
    return issuer;
  };

  // The same header string again (AVA may reuse one within its 120 s) skips the signature check; the
  // time checks run again on every use (verified-token-cache.ts explains why that stays fail-closed).
  const verified = new VerifiedTokenCache<{ identity: IdentityResult; header: Record<string, unknown>; payload: Record<string, unknown> }>(DEFAULT_VERIFIED_TOKEN_CACHE_SIZE);

  return {
    async verify(token) {
      const hit = verified.get(token, now());
      if (hit && checkTimes(hit.header, hit.payload, config, opts.limits.clockSkewSeconds, now() / 1000).ok) return hit.identity;
      const fingerprint = tokenFingerprint(token);
      const decoded = decodeJwtStrict(token, AVA_HEADER_MAX_BYTES);
      const fail = (code: IdentityFailureCode, message: string, header?: Record<string, unknown>): IdentityResult => ({
        ok: false,
        code,
        message,
        tokenFingerprint: fingerprint,
        issuerName: config.name,
        ...(typeof header?.iss === "string" ? { claimedIssuer: header.iss } : {}),
        ...(typeof header?.kid === "string" ? { kid: header.kid } : {}),
      });
      if (!decoded.ok) return fail(decoded.code, decoded.message, decoded.header);
      const { header, payload } = decoded;
      if (header.alg !== "ES384") return fail("token_alg_not_allowed", `algorithm ${shown(header.alg)} is not ES384, the algorithm Verified Access signs with`, header);
      const shape = checkHeaderShape(header);
      if (!shape.ok) return fail(shape.code, shape.message, header);
      if (!UUID.test(header.kid as string)) return fail("token_header_invalid", "header `kid` is not a Verified Access key id", header);
      const signer = header.signer;
      const base = typeof signer === "string" ? keyUrlOf.get(signer) : undefined;
      if (base === undefined) return fail("token_signer_invalid", `header \`signer\` ${shown(signer)} is not a trusted Verified Access instance`, header);
      const iss = header.iss;
      if (typeof iss !== "string" || !config.issuers.includes(iss)) return fail("token_issuer_unknown", `header \`iss\` ${shown(iss)} is not an accepted issuer`, header);
      if (payload.iss !== undefined && payload.iss !== iss) return fail("token_issuer_unknown", "payload `iss` differs from the header's", header);
      const times = checkTimes(header, payload, config, opts.limits.clockSkewSeconds, now() / 1000);
      if (!times.ok) return fail(times.code, times.message, header);

      try {
        const url = `${base}/${header.kid as string}`;
        const jwk = await keys.get(url, header.kid as string);
        // issuer/audience are checked above (AVA puts `iss` in the header); the library does the crypto.
        await verifyJwt(token, url, { issuer: null, audience: null, graceSeconds: opts.limits.clockSkewSeconds }, async () => jwk, toKeyObject);
      } catch (err) {
        const mapped = mapVerifyError(err);
        return fail(mapped.code, mapped.message, header);
      }

      const flat = flatten(payload);
      const mapped = mapVerifiedClaims({ ...flat, exp: times.exp }, asIssuer(iss), opts.limits, fingerprint, now());
      if (!mapped.ok) return fail(mapped.code, mapped.message, header);
      const identity: IdentityResult = { ok: true, identity: { ...mapped.identity, expiresAt: times.exp, claims: payload } };
      // Keys never change under their id, so only the header's own `exp` bounds the entry.
      verified.set(token, { identity, header, payload }, now(), times.exp, Number.POSITIVE_INFINITY);
      return identity;
    },
  };
}

function checkTimes(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  config: SignedHeaderConfig,
  skew: number,
  nowSeconds: number,
): { ok: true; exp: number } | { ok: false; code: IdentityFailureCode; message: string } {
  const exp = header.exp ?? payload.exp;
  if (exp === undefined) return { ok: false, code: "token_exp_missing", message: "header `exp` is missing" };
  for (const value of [header.exp, payload.exp]) {
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) return { ok: false, code: "token_claims_invalid", message: "`exp` is not a number" };
    if (nowSeconds >= value + skew) return { ok: false, code: "token_expired", message: "the signed header has expired" };
    if (value - nowSeconds > config.maxLifetimeSeconds) {
      return { ok: false, code: "token_lifetime_exceeded", message: `\`exp\` is more than ${config.maxLifetimeSeconds} s ahead` };
    }
  }
  return { ok: true, exp: Math.min(...[header.exp, payload.exp].filter((v): v is number => typeof v === "number")) };
}

/** IAM Identity Center's nested user record as the flat claims the issuer mapping reads. */
function flatten(payload: Record<string, unknown>): Record<string, unknown> {
  const user = payload.user;
  if (payload.sub !== undefined || typeof user !== "object" || user === null || Array.isArray(user)) return payload;
  const u = user as Record<string, unknown>;
  const email = typeof u.email === "object" && u.email !== null ? (u.email as Record<string, unknown>) : {};
  return {
    sub: u.user_id,
    ...(typeof u.user_name === "string" ? { preferred_username: u.user_name } : {}),
    ...(typeof email.address === "string" ? { email: email.address } : {}),
    ...(typeof email.verified === "boolean" ? { email_verified: email.verified } : {}),
  };
}
