import type { LoadedConfig } from "../config/load.js";
import type { IssuerConfig } from "../config/schema.js";
import type { JwtVerifyOptions } from "../identity/jwt-verifier.js";
import type { TrustProviderConfig } from "./config-schema.js";
import type { AuditFacts, Endpoint, TrustProviderDeps } from "./deps.js";
import type { TrustStore } from "./store.js";

/** What a builder of a dependency gets: the config and the environment, read once at cold start. */
export interface BuildContext {
  loaded: LoadedConfig;
  tp: TrustProviderConfig;
  issuer: string;
  upstreamIssuer: IssuerConfig;
  jwt: JwtVerifyOptions;
  env: Record<string, string | undefined>;
  /** Replaces the DynamoDB store (tests). */
  store?: TrustStore;
}

/** Builds one dependency. Route modules import the builders they need, so a function bundles only those. */
export type Builders = { [K in keyof TrustProviderDeps]?: (ctx: BuildContext) => TrustProviderDeps[K] };

/** One endpoint: where it is served, how, what it needs built at cold start, and what it audits as. */
export interface Route {
  path: string;
  methods: readonly string[];
  endpoint: Endpoint;
  needs: Builders;
  /** Sign-ins and token grants are audited, faults included. */
  action?: AuditFacts["action"];
}
