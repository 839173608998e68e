import type { ProviderType } from "../shapes.js";

/**
 * Raw device trust data as AVA receives it from Jamf, CrowdStrike and JumpCloud
 * (https://docs.aws.amazon.com/verified-access/latest/ug/trust-data-third-party-trust.html).
 *
 * A scenario names what the device reports (`risk`, `assessment.overall`, `device.is_managed`); the
 * bookkeeping fields every such token carries (issuer, subject, times, ids) are filled in here when
 * absent, the same way for a scenario and for a verified device token in the authorizer, so both give
 * the policies the same record. What decides access is never filled in: a scenario must state it, and a
 * token without it yields a record without it (a policy reading it fails, and AVA denies).
 */

/** The claims a device provider's record must state (paths), per type. */

/** Token lifetime assumed for filled-in `exp` (the providers' tokens are short-lived). */
const FILLED_LIFETIME_SECONDS = 3600;

export function withDeviceDefaults(type: ProviderType, claims: Record<string, unknown>, nowSeconds: number, ageSeconds = 0): Record<string, unknown> {
  const iat = nowSeconds - ageSeconds;
  const times = { iat, exp: iat + FILLED_LIFETIME_SECONDS };
  switch (type) {
    case "jamf":
      return { iss: "jamf-customer-id", sub: "device-hardware-uid", ...times, groups: [], ...claims };
    case "crowdstrike": {
      const assessment = isPlain(claims.assessment) ? claims.assessment : {};
      const overall = assessment.overall;
      return {
        cid: "crowdstrike-customer-id",
        jwk_url: "https://assets-public.falcon.crowdstrike.com/zta/jwk.json",
        platform: "Windows 11",
        serial_number: "device-serial",
        sub: "crowdstrike-agent-id",
        typ: "crowdstrike-zta+jwt",
        ...times,
        ...claims,
        ...(claims.assessment === undefined ? {} : { assessment: { os: overall, sensor_config: overall, version: "3.6.1", ...assessment } }),
      };
    }
    case "jumpcloud":
      return { iss: "go.jumpcloud.com", sub: "jumpcloud-user-id", durt_id: "device-user-refresh-token-id", org_id: "jumpcloud-org-id", system: "jumpcloud-system-id", ...times, ...claims };
    default:
      return claims;
  }
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
