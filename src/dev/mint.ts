import { randomUUID, sign } from "node:crypto";
import type { DevSigningKey } from "./keys.js";

/**
 * Token minting for the development issuers (`npm run token`, `npm start`, end-to-end tests). Tokens are
 * real compact JWS signed with the dev keys and verified by the PDP exactly like production tokens.
 */

export type DeviceState = "patched" | "unpatched";
export type DevProvider = "jamf" | "crowdstrike" | "jumpcloud" | "generic-mdm";
export const DEV_PROVIDERS: readonly DevProvider[] = ["jamf", "crowdstrike", "jumpcloud", "generic-mdm"];

export function signJws(key: DevSigningKey, header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ alg: key.alg, kid: key.kid, ...header })}.${encode(payload)}`;
  // ES256 JWS signatures are raw r||s (IEEE P1363), not DER.
  const signature = sign("sha256", Buffer.from(input), key.alg === "ES256" ? { key: key.privateKey, dsaEncoding: "ieee-p1363" } : key.privateKey);
  return `${input}.${signature.toString("base64url")}`;
}

export interface UserTokenOptions {
  issuer: string;
  audience: string;
  user: string;
  groups: string[];
  mfa?: boolean;
  email?: string;
  lifetimeSeconds?: number;
  nowSeconds?: number;
}

/** An RFC 9068 access token (`typ: at+jwt`) for a person, as Okta or Entra ID would issue it. */
export function mintUserToken(key: DevSigningKey, o: UserTokenOptions): string {
  const iat = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  return signJws(key, { typ: "at+jwt" }, {
    iss: o.issuer,
    aud: o.audience,
    sub: o.user,
    client_id: "dev-portal",
    groups: o.groups,
    amr: o.mfa === false ? ["pwd"] : ["pwd", "mfa"],
    email: o.email ?? `${o.user}@example.com`,
    iat,
    exp: iat + (o.lifetimeSeconds ?? 3600),
    jti: randomUUID(),
  });
}

export interface ServiceTokenOptions {
  issuer: string;
  audience: string;
  clientId: string;
  lifetimeSeconds?: number;
  nowSeconds?: number;
}

/** A client-credentials access token: the subject is the client itself, so the PDP sees a Service. */
export function mintServiceToken(key: DevSigningKey, o: ServiceTokenOptions): string {
  const iat = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  return signJws(key, { typ: "at+jwt" }, {
    iss: o.issuer,
    aud: o.audience,
    sub: o.clientId,
    client_id: o.clientId,
    iat,
    exp: iat + (o.lifetimeSeconds ?? 3600),
    jti: randomUUID(),
  });
}

export interface DeviceTokenOptions {
  provider: DevProvider;
  issuer: string;
  audience: string;
  /** The user's `sub`: the posture is bound to this user. */
  user: string;
  state: DeviceState;
  lifetimeSeconds?: number;
  nowSeconds?: number;
}

/** Provider claim sets with the claim names AWS Verified Access documents (see src/posture/mappers). */
const DEVICE_CLAIMS: Record<DevProvider, Record<DeviceState, Record<string, unknown>>> = {
  jamf: {
    patched: { risk: "LOW", osv: "15.7.2", platform: "macOS" },
    unpatched: { risk: "MEDIUM", osv: "14.6.1", platform: "macOS" },
  },
  crowdstrike: {
    patched: { assessment: { overall: 92, os: 88, sensor_config: 95, version: "3.4.0" }, platform: "Windows", os_version: "10.0.26100.4946" },
    unpatched: { assessment: { overall: 41, os: 30, sensor_config: 80, version: "3.4.0" }, platform: "Windows", os_version: "10.0.22631.4890" },
  },
  jumpcloud: {
    patched: { device: { is_managed: true }, system: { os: "macOS", version: "15.7.2" } },
    unpatched: { device: { is_managed: true }, system: { os: "macOS", version: "14.6.1" } },
  },
  "generic-mdm": {
    patched: { managed: true, compliant: true, os: { family: "windows", version: "10.0.26100.4946" }, disk_encrypted: true, edr_score: 90, risk_level: "low" },
    unpatched: { managed: true, compliant: false, os: { family: "windows", version: "10.0.19045.5011" }, disk_encrypted: true, edr_score: 55, risk_level: "medium" },
  },
};

/** A signed device-posture token from one emulated MDM/EDR, with that provider's own `typ`. */
export function mintDeviceToken(key: DevSigningKey, o: DeviceTokenOptions): string {
  const iat = o.nowSeconds ?? Math.floor(Date.now() / 1000);
  const typ = o.provider === "crowdstrike" ? "crowdstrike-zta+jwt" : "device-posture+jwt";
  return signJws(key, { typ }, {
    iss: o.issuer,
    aud: o.audience,
    sub: `device-${o.user}`,
    user_sub: o.user,
    iat,
    exp: iat + (o.lifetimeSeconds ?? 3600),
    jti: randomUUID(),
    ...DEVICE_CLAIMS[o.provider][o.state],
  });
}
