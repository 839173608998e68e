import type { IssuerConfig, JwtTrustConfig } from "../../config/schema.js";
import { InputError } from "../errors.js";
import { headerFor, issuerBaseClaims, serviceTokenClaims, userMarkerClaims } from "./issuer-claims.js";
import { signJws, type EphemeralKey } from "./keys.js";
import type { DeviceInput, PrincipalInput } from "./types.js";

/** Lifetime of scenario tokens: well inside any `maxTokenLifetimeSeconds`, and valid for the whole run. */
const TOKEN_LIFETIME_SECONDS = 3600;
const DEVICE_TOKEN_REMAINING_SECONDS = 600;

/**
 * Mints the bearer and device tokens of a case the way real issuers would: `iss`, `aud`, `typ` and `alg`
 * from the config entry, claims named as the config maps them (principal id claim, group claim, client id
 * claim, posture binding claim). Identical tokens are signed once per run: RSA signing (~0.7 ms) would
 * otherwise dominate a large suite, and a case's claims fully determine its token. Tokens are promises:
 * a run asks for every case's tokens first, and signing proceeds off the main thread meanwhile.
 */
export class TokenMinter {
  private readonly memo = new Map<string, Promise<string>>();

  constructor(
    private readonly keys: ReadonlyMap<string, EphemeralKey>,
    private readonly nowSeconds: number,
  ) {}

  /** The bearer token and its payload (the device token's binding claim is read from it). */
  principalToken(p: PrincipalInput): { token: Promise<string>; payload: Record<string, unknown> } {
    const base = { ...issuerBaseClaims(p.issuer), iat: this.nowSeconds, exp: this.nowSeconds + TOKEN_LIFETIME_SECONDS };
    const payload =
      p.kind === "user"
        ? {
            ...base,
            ...userMarkerClaims(p.issuer),
            sub: p.id,
            [p.issuer.principal.principalIdClaim]: p.id,
            ...groupClaim(p.issuer.groupClaim, p.groups),
            // RFC 8176 values: `mfa` is one the PDP counts as a second factor.
            amr: p.mfa ? ["pwd", "mfa"] : ["pwd"],
            ...p.claims,
          }
        : { ...base, ...serviceTokenClaims(p.issuer, p.clientId), ...p.claims };
    return { token: this.sign(p.issuer, payload), payload };
  }

  deviceToken(device: Extract<DeviceInput, { kind: "token" }>, principalPayload: Record<string, unknown>): Promise<string> {
    const { provider } = device;
    const bound = principalPayload[provider.binding.userClaim];
    const payload = {
      iss: provider.issuer,
      aud: provider.audiences[0],
      sub: "scenario-device",
      // Bound to the case's user, as the provider's binding rule requires; `claims` may override it.
      ...(typeof bound === "string" ? { [provider.binding.deviceClaim]: bound } : {}),
      iat: this.nowSeconds - device.ageSeconds,
      exp: this.nowSeconds + DEVICE_TOKEN_REMAINING_SECONDS,
      ...device.claims,
    };
    return this.sign(provider, payload);
  }

  private sign(trust: JwtTrustConfig, payload: Record<string, unknown>): Promise<string> {
    const alg = trust.algorithms[0] as string;
    const header = headerFor(trust);
    const cacheKey = JSON.stringify([alg, header, payload]);
    let token = this.memo.get(cacheKey);
    if (token === undefined) {
      const key = this.keys.get(alg);
      if (!key) throw new InputError(`no ephemeral key for algorithm \`${alg}\``);
      token = signJws(key, header, payload);
      this.memo.set(cacheKey, token);
    }
    return token;
  }
}

/** The groups under the issuer's group claim (nested for a path such as Keycloak's `realm_access.roles`). */
function groupClaim(path: IssuerConfig["groupClaim"], groups: string[]): Record<string, unknown> {
  if (path === null) return {};
  const steps = typeof path === "string" ? [path] : path;
  return steps.reduceRight<unknown>((inner, step) => ({ [step]: inner }), groups) as Record<string, unknown>;
}
