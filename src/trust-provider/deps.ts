import type { IdentityVerifier } from "../identity/identity-verifier.js";
import type { PostureVerifier } from "../posture/verifier.js";
import type { Outcome, ReasonCode } from "../decision/types.js";
import type { TrustProviderClient, TrustProviderConfig } from "./config-schema.js";
import type { HttpResponse } from "./http.js";
import type { SigningKeySet } from "./signing-keys.js";
import type { SessionWho } from "./state.js";
import type { TrustStore } from "./store.js";
import type { UpstreamBroker } from "./upstream.js";

/** Everything an endpoint needs, built once per cold start (src/trust-provider/provider.ts). */
export interface TrustProviderDeps {
  config: TrustProviderConfig;
  /** Our issuer identifier, no trailing slash. */
  issuer: string;
  clients: ReadonlyMap<string, TrustProviderClient>;
  store: TrustStore;
  keys: SigningKeySet;
  upstream: UpstreamBroker;
  /** Verifies the corporate IdP's ID token: this project's identity verifier with the named issuer entry. */
  identity: IdentityVerifier;
  posture: PostureVerifier;
  /** The upstream issuer entry's `principal.entityIdPrefix`, stripped from group names in the claims. */
  upstreamEntityIdPrefix: string | undefined;
  /** `devicePosture.maxAgeSeconds`: the authorizer's rule, reused. */
  postureMaxAgeSeconds: number;
  /** `limits.maxTokenBytes`: a device token above it is not even stored. */
  maxTokenBytes: number;
  /** Epoch milliseconds. */
  now: () => number;
}

/** What an endpoint tells the composition root to audit (it builds and emits the record). */
export interface AuditFacts {
  action: "login" | "token" | "refresh";
  outcome: Outcome;
  clientId?: string;
  who?: SessionWho;
  /** What is known of a caller whose upstream identity failed. */
  identity?: SessionWho["identity"];
  device?: SessionWho["device"];
  errors: { code: ReasonCode; message: string }[];
  risk?: string;
  sessionExpiresAt?: number;
  /** The client authentication method used at the token endpoint. */
  clientAuth?: string;
}

export interface Handled {
  response: HttpResponse;
  audit?: AuditFacts;
}

export type Endpoint = (req: import("./http.js").HttpRequest, deps: TrustProviderDeps) => Promise<Handled>;
