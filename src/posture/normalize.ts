import type { PostureFormat } from "../config/schema.js";
import type { PatchBaseline } from "./baseline.js";
import { isPatched } from "./baseline.js";
import { isPlainObject } from "./mappers/claims.js";
import { POSTURE_MAPPERS } from "./mappers/index.js";
import { postureRecordSchema } from "./record-schema.js";
import type { PostureFailureCode, PostureRecord } from "./types.js";

/**
 * Turns a verified device-token payload into the Cedar-safe `PostureRecord`. Pure: no clock, no I/O
 * (the caller passes `nowSeconds`), so every branch is testable and the same input gives the same record.
 *
 * Order of checks, each a failure value (never a throw), and on any failure the caller uses
 * `LEAST_TRUSTED_POSTURE`:
 *   1. provider name and format known                  else device_token_provider_unknown
 *   2. payload a plain object; `iat` a non-negative
 *      integer, not beyond the clock-skew allowance    else device_claims_invalid
 *   3. provider mapper accepts the claims              else device_claims_invalid
 *   4. age (now - iat) within maxAgeSeconds            else device_posture_stale
 *   5. the record passes `postureRecordSchema`         else device_claims_invalid (defence in depth)
 *
 * `verified: true` is set here and nowhere else: only a record that passed all of the above has it.
 */
export interface NormalizePostureArgs {
  /** Provider label from config (`PostureProviderConfig.name`). */
  providerName: string;
  format: PostureFormat;
  /** The device JWT payload, signature, issuer, audience, type and expiry already verified. */
  payload: Record<string, unknown>;
  baseline: PatchBaseline;
  nowSeconds: number;
  maxAgeSeconds: number;
}

export type NormalizePostureResult =
  | { ok: true; posture: PostureRecord }
  | { ok: false; code: PostureFailureCode; message: string };

/** How far in the future `iat` may be (device and PDP clocks differ); a later `iat` is forged or broken. */
export const IAT_CLOCK_SKEW_SECONDS = 60;

/** Same rule as `postureProviderSchema.name` in the config. */
const PROVIDER_NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function normalizePosture(args: NormalizePostureArgs): NormalizePostureResult {
  const { providerName, format, payload, baseline, nowSeconds, maxAgeSeconds } = args;

  // Caller bugs, reported as values so a request still ends in a recorded decision (with least trust).
  if (!isNonNegativeInteger(nowSeconds) || !isNonNegativeInteger(maxAgeSeconds)) {
    return fail("device_token_invalid", "internal: `nowSeconds` and `maxAgeSeconds` must be non-negative integers");
  }
  if (typeof providerName !== "string" || !PROVIDER_NAME.test(providerName)) {
    return fail("device_token_provider_unknown", "device posture provider name is not a valid label");
  }
  const mapper = typeof format === "string" ? POSTURE_MAPPERS.get(format) : undefined;
  if (mapper === undefined) {
    return fail("device_token_provider_unknown", `device posture provider \`${providerName}\` has no known format`);
  }

  if (!isPlainObject(payload)) return fail("device_claims_invalid", "device token payload is not a JSON object");
  const iat = payload["iat"];
  if (iat === undefined) return fail("device_claims_invalid", "claim `iat` is missing: the posture age is unknown");
  if (!isNonNegativeInteger(iat)) return fail("device_claims_invalid", "claim `iat` must be a non-negative integer (epoch seconds)");
  if (iat > nowSeconds + IAT_CLOCK_SKEW_SECONDS) {
    return fail("device_claims_invalid", `claim \`iat\` is more than ${IAT_CLOCK_SKEW_SECONDS} s in the future`);
  }

  const mapped = mapper(payload);
  if (!mapped.ok) return fail(mapped.code, mapped.message);

  // Within the skew allowance a future `iat` counts as "just now", never as a negative age.
  const ageSeconds = Math.max(0, nowSeconds - iat);
  if (ageSeconds > maxAgeSeconds) {
    return fail("device_posture_stale", `device posture is ${ageSeconds} s old, the maximum is ${maxAgeSeconds} s`);
  }

  const version = mapped.os.version;
  const posture: PostureRecord = {
    verified: true,
    provider: providerName,
    managed: mapped.managed,
    compliant: mapped.compliant,
    os: {
      family: mapped.os.family,
      version: version?.text ?? "0.0.0",
      major: version?.major ?? 0,
      minor: version?.minor ?? 0,
      patch: version?.patch ?? 0,
      patched: isPatched(baseline, mapped.os.family, version),
    },
    diskEncrypted: mapped.diskEncrypted,
    edrScore: mapped.edrScore,
    riskLevel: mapped.riskLevel,
    observedAt: iat,
    ageSeconds,
  };

  const check = postureRecordSchema.safeParse(posture);
  if (!check.success) {
    const paths = check.error.issues.map((i) => i.path.join(".")).join(", ");
    return fail("device_claims_invalid", `device posture failed its final check at: ${paths}`);
  }
  return { ok: true, posture };
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function fail(code: PostureFailureCode, message: string): NormalizePostureResult {
  return { ok: false, code, message };
}
