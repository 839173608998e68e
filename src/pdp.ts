import type { AuditRecord } from "./audit/record.js";
import type { AuditSink } from "./audit/sink.js";
import { powertoolsAuditSink } from "./audit/sink.js";
import { verifiedAccessParts } from "./ava/compose.js";
import { loadConfig, type LoadedConfig } from "./config/load.js";
import { createDecisionPoint } from "./decision/decide.js";
import { createRouteResolver } from "./decision/resource.js";
import type { JwtVerifyOptions } from "./identity/jwt-verifier.js";
import { principalAttributeProblems } from "./identity/attribute-schema-check.js";
import { createIdentityVerifier } from "./identity/identity-verifier.js";
import type { PolicyEngine } from "./policy/engine.js";
import { configuredEngineSource } from "./policy/engine-factory.js";
import { loadBaseline } from "./posture/baseline.js";
import { createPostureVerifier } from "./posture/verifier.js";
import { recordDecisions, type RecordedDecisions } from "./recorded-decisions.js";

export interface PdpOptions {
  /** Defaults to `loadConfig()` (ZTPDP_CONFIG, else the bundled config). */
  config?: LoadedConfig;
  audit?: AuditSink;
  /** Called with every audit record as it is written (the Lambda wiring counts metrics from it). */
  observe?: (record: AuditRecord) => void;
  /** Replaces the engine named by the config (tests: a stub, or an engine with its own client). */
  engine?: PolicyEngine;
  now?: () => number;
  /** Fetch every JWKS before the first request (default true). */
  hydrate?: boolean;
  /** A decision's time budget (ms), or a function giving it per decision. Default: `limits.decisionTimeoutMs`. */
  deadlineMs?: number | (() => number | undefined);
}

export interface Pdp extends RecordedDecisions {
  config: LoadedConfig;
  readonly engine: PolicyEngine;
}

/**
 * The composition root: everything expensive happens here, once per cold start — config validation,
 * policy parse and strict validation, the patch baseline, JWKS prefetch and a warm-up evaluation. Any
 * problem throws here, so a bad deployment never starts serving.
 *
 * It is also where the audit record is written: beside the decision, not inside it (recorded-decisions.ts),
 * so the record and the metrics describe what the gateway got.
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
  const ava = verifiedAccessParts(loaded, jwt);
  // The engine the config names (engine-factory.ts; a Verified Permissions config never falls back to local
  // policies), or in AVA mode the Verified Access folder's (src/ava/compose.ts), which replaces it.
  // Claim → principal attribute mappings and its schema must agree (attribute-schema-check.ts).
  const source = options.engine || ava.engine ? undefined : configuredEngineSource(loaded);
  const attributeProblems = source ? principalAttributeProblems(config.issuers, source.schema) : [];
  if (attributeProblems.length > 0) throw new Error(`${loaded.file} and ${source!.schemaFile} disagree on principal attributes:\n  - ${attributeProblems.join("\n  - ")}`);
  // Built while the JWKS are fetched: a Verified Permissions mirror's first read of the store overlaps them.
  const [engine] = await Promise.all([
    options.engine ?? ava.engine ?? source!.create(),
    options.hydrate !== false ? Promise.all([identity.hydrate(), posture.hydrate()]) : undefined,
  ]);
  const core = createDecisionPoint({
    identity: ava.identity ? ava.identity(identity) : identity,
    posture,
    ...(ava.buildQuery ? { buildQuery: ava.buildQuery } : {}),
    engine,
    resolveRoute: createRouteResolver(config.routes),
    ...(options.now ? { now: options.now } : {}),
  });
  const recorded = recordDecisions(core, {
    audit: options.audit ?? powertoolsAuditSink(),
    ...(options.observe ? { observe: options.observe } : {}),
    deadlineMs: options.deadlineMs ?? config.limits.decisionTimeoutMs,
  });
  return { ...recorded, config: loaded, engine };
}
