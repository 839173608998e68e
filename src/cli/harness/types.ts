import type { IssuerConfig, PostureProviderConfig, RouteConfig } from "../../config/schema.js";
import type { PostureRecord } from "../../posture/types.js";

/**
 * One request to evaluate, already resolved against the config (issuer, provider, route exist). Built
 * from a scenario case or from `explain` flags; the harness turns it into signed tokens and an
 * `AccessRequest`, exactly what an adapter hands the decision core in production.
 */
export interface CaseInput {
  principal: PrincipalInput;
  device: DeviceInput;
  request: RequestInput;
}

export type PrincipalInput =
  | {
      kind: "user";
      issuer: IssuerConfig;
      /** Value of the principal id claim (`sub` unless the issuer maps another claim). */
      id: string;
      /** Raw group claim values, as the IdP sends them (the issuer's entity id prefix is added by the PDP). */
      groups: string[];
      mfa: boolean;
      /** Extra or overriding token claims. */
      claims: Record<string, unknown>;
    }
  | { kind: "service"; issuer: IssuerConfig; clientId: string; claims: Record<string, unknown> };

export type DeviceInput =
  | { kind: "none" }
  /** A provider's raw claims, signed as that provider's device token and mapped by its real mapper. */
  | { kind: "token"; provider: PostureProviderConfig; claims: Record<string, unknown>; ageSeconds: number }
  /** An already-normalized posture: what the posture verifier would have produced. */
  | { kind: "posture"; posture: PostureRecord };

export interface RequestInput {
  method: string;
  /** Route template, as API Gateway names it. */
  route: string;
  /** A resource given inline (not in the config's route catalog), added to the catalog for this run. */
  adHocRoute?: RouteConfig;
  sourceIp?: string;
  vpceId?: string;
  host?: string;
  userAgent?: string;
}
