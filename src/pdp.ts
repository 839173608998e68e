import type { AuditSink } from "./audit/sink.js";
import { powertoolsAuditSink } from "./audit/sink.js";
import { loadConfig, type LoadedConfig } from "./config/load.js";
import { createDecisionPoint, type DecisionPoint } from "./decision/decide.js";
import { createRouteResolver } from "./decision/resource.js";
import type { JwtVerifyOptions } from "./identity/jwt-verifier.js";
import { principalAttributeProblems } from "./identity/attribute-schema-check.js";
import { createIdentityVerifier } from "./identity/identity-verifier.js";
import type { PolicyEngine } from "./policy/engine.js";
import { loadPolicyDir } from "./policy/loader.js";
import { createLocalCedarEngine } from "./policy/local-engine.js";
import { loadBaseline } from "./posture/baseline.js";
import { createPostureVerifier } from "./posture/verifier.js";

export interface PdpOptions {
  /** Defaults to `loadConfig()` (ZTPDP_CONFIG, else the bundled config). */
  config?: LoadedConfig;
  audit?: AuditSink;
  /** Replaces the engine named by the config (e.g. a Verified Permissions engine built by the caller). */
  engine?: PolicyEngine;
  now?: () => number;
  /** Fetch every JWKS before the first request (default true). */
  hydrate?: boolean;
}

export interface Pdp extends DecisionPoint {
  config: LoadedConfig;
}

/**
 * The composition root: everything expensive happens here, once per cold start — config validation,
 * policy parse and strict validation, the patch baseline, JWKS prefetch and a warm-up evaluation. Any
 * problem throws here, so a bad deployment never starts serving.
 */
export async function createPdp(options: PdpOptions = {}): Promise<Pdp> {
  const loaded = options.config ?? loadConfig();
  const { config } = loaded;
  const jwt: JwtVerifyOptions = {
    limits: config.limits,
    jwks: config.jwks,
    allowInsecureLoopbackJwks: config.development.allowInsecureLoopbackJwks,
    ...(options.now ? { now: options.now } : {}),
  };
  const identity = createIdentityVerifier(config.issuers, jwt);
  const posture = createPostureVerifier({
    providers: config.devicePosture.providers,
    maxAgeSeconds: config.devicePosture.maxAgeSeconds,
    baseline: loadBaseline(loaded.resolvePath(config.devicePosture.patchBaselineFile)),
    jwt,
  });
  if (!options.engine && config.policy.engine !== "local") {
    // Never fall back to the local policies silently: the operator asked for the shared store.
    throw new Error(`${loaded.file}: policy engine "${config.policy.engine}" needs an engine passed to createPdp (not built into this release)`);
  }
  const policySet = options.engine ? undefined : loadPolicyDir(loaded.resolvePath(config.policy.dir));
  // Claim → principal attribute mappings and the schema must agree (attribute-schema-check.ts).
  const attributeProblems = policySet ? principalAttributeProblems(config.issuers, policySet) : [];
  if (attributeProblems.length > 0) throw new Error(`${loaded.file} and ${policySet!.schemaFile} disagree on principal attributes:\n  - ${attributeProblems.join("\n  - ")}`);
  const engine = options.engine ?? createLocalCedarEngine(policySet!);
  if (options.hydrate !== false) await Promise.all([identity.hydrate(), posture.hydrate()]);
  const pdp = createDecisionPoint({
    identity,
    posture,
    engine,
    resolveRoute: createRouteResolver(config.routes),
    audit: options.audit ?? powertoolsAuditSink(),
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...pdp, config: loaded, decide: pdp.decide };
}
