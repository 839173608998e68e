import type { LoadedConfig } from "../../config/load.js";
import type { RouteConfig } from "../../config/schema.js";
import { createDecisionPoint, type IdentityVerifierPort, type PostureVerifierPort } from "../../decision/decide.js";
import { createRouteResolver } from "../../decision/resource.js";
import type { Decision } from "../../decision/types.js";
import { principalAttributeProblems } from "../../identity/attribute-schema-check.js";
import { IdentityError } from "../../identity/errors.js";
import { createIdentityVerifier } from "../../identity/identity-verifier.js";
import type { JwtVerifyOptions } from "../../identity/jwt-verifier.js";
import type { IdentityResult } from "../../identity/types.js";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../../policy/engine.js";
import type { LoadedPolicySet } from "../../policy/loader.js";
import { createLocalCedarEngine } from "../../policy/local-cedar/local-engine.js";
import type { PatchBaseline } from "../../posture/baseline.js";
import type { PostureRecord, PostureResult } from "../../posture/types.js";
import { createPostureVerifier } from "../../posture/verifier.js";
import { InputError } from "../errors.js";
import { generateEphemeralKeys, signingAlgorithms, type EphemeralKey } from "./keys.js";
import { TokenMinter } from "./tokens.js";
import type { CaseInput } from "./types.js";

export interface HarnessOptions {
  config: LoadedConfig;
  policySet: LoadedPolicySet;
  baseline: PatchBaseline;
  /** The run's clock (epoch ms), fixed so every token and posture age is reproducible within a run. */
  nowMs: number;
  /** From `generateEphemeralKeys(signingAlgorithms(...))`, started early by the command. */
  keys: ReadonlyMap<string, EphemeralKey>;
  /** The engine to decide with (`ztpdp test --engine`); default: the local engine on `policySet`. */
  engine?: PolicyEngine;
}

/** Everything one evaluation produced, for comparing (test) and showing (explain). */
export interface Evaluation {
  decision: Decision;
  identity?: IdentityResult;
  posture?: PostureResult;
  /** The exact Cedar request, when the decision got as far as the engine. */
  query?: AuthorizationQuery;
  answer?: EngineAnswer;
}

export interface Harness {
  evaluate(input: CaseInput): Promise<Evaluation>;
  /** Starts signing a case's tokens now (optional: `evaluate` signs what was not prepared). */
  prepare(input: CaseInput): void;
  /** Adds the cases' inline resources to the config's route catalog, for this run only. */
  addRoutes(routes: readonly RouteConfig[]): void;
  /** The same engine instance, for Cedar-format tests that bring their own entities and context. */
  readonly engine: PolicyEngine;
}

/** Device tokens that stand for an injected normalized posture: no dots, so never a JWT. */
const INJECTED_POSTURE_PREFIX = "ztpdp-scenario-posture:";

/**
 * The production decision core (`createDecisionPoint`) with the production identity verifier, posture
 * verifier, route resolver and local Cedar engine, built from the project's real config. The only
 * substitution is trust: the configured JWKS URIs are answered in memory with this run's ephemeral
 * public keys (`fetchJson`), and tokens are signed with the matching private keys. The ports are wrapped
 * only to record what each step saw.
 */
export function createHarness(opts: HarnessOptions): Harness {
  const { config } = opts.config;
  const now = () => opts.nowMs;
  const { keys } = opts;
  const jwks = { keys: [...keys.values()].map((k) => k.publicJwk) };
  const jwt: JwtVerifyOptions = {
    limits: config.limits,
    jwks: config.jwks,
    allowInsecureLoopbackJwks: config.development.allowInsecureLoopbackJwks,
    now,
    fetchJson: async () => jwks,
  };

  let identityVerifier: IdentityVerifierPort;
  let postureVerifier: PostureVerifierPort;
  try {
    identityVerifier = createIdentityVerifier(config.issuers, jwt);
    postureVerifier = createPostureVerifier({
      providers: config.devicePosture.providers,
      maxAgeSeconds: config.devicePosture.maxAgeSeconds,
      baseline: opts.baseline,
      jwt,
    });
  } catch (err) {
    if (err instanceof IdentityError) throw new InputError(`config: ${err.message}`);
    throw err;
  }
  const attributeProblems = principalAttributeProblems(config.issuers, opts.policySet);
  if (attributeProblems.length > 0) throw new InputError(`the config and \`${opts.policySet.schemaFile}\` disagree on principal attributes`, attributeProblems.map((p) => `  - ${p}`));
  const engine: PolicyEngine = opts.engine ?? createLocalCedarEngine(opts.policySet);

  let seen: Omit<Evaluation, "decision"> = {};
  const injected = new Map<string, PostureRecord>();
  const recordingEngine: PolicyEngine = {
    name: engine.name,
    revision: engine.revision,
    async isAuthorized(query) {
      seen.query = query;
      const answer = await engine.isAuthorized(query);
      seen.answer = answer;
      return answer;
    },
  };
  const routes = [...config.routes];
  let resolveRoute = createRouteResolver(routes);
  let decisions = 0;
  const pdp = createDecisionPoint({
    identity: {
      async verify(token) {
        return (seen.identity = await identityVerifier.verify(token));
      },
    },
    posture: {
      async verify(token, identity, nowSeconds) {
        const posture = token === undefined ? undefined : injected.get(token);
        return (seen.posture = posture ? { posture: structuredClone(posture) } : await postureVerifier.verify(token, identity, nowSeconds));
      },
    },
    engine: recordingEngine,
    resolveRoute: (method, route) => resolveRoute(method, route),
    now,
    newDecisionId: () => `scenario-${++decisions}`,
  });
  const minter = new TokenMinter(keys, Math.floor(opts.nowMs / 1000));

  const tokensOf = (input: CaseInput) => {
    const { token, payload } = minter.principalToken(input.principal);
    return { token, device: input.device.kind === "token" ? minter.deviceToken(input.device, payload) : undefined };
  };

  return {
    engine,
    addRoutes(extra) {
      const fresh = extra.filter((r) => !routes.some((known) => known.path === r.path));
      if (fresh.length === 0) return;
      routes.push(...fresh);
      resolveRoute = createRouteResolver(routes);
    },
    prepare(input) {
      const { token, device } = tokensOf(input);
      // Failures surface when the case is evaluated; here they must not become unhandled rejections.
      token.catch(() => undefined);
      device?.catch(() => undefined);
    },
    async evaluate(input) {
      const tokens = tokensOf(input);
      const token = await tokens.token;
      let deviceToken = await tokens.device;
      if (input.device.kind === "posture") {
        deviceToken = `${INJECTED_POSTURE_PREFIX}${decisions + 1}`;
        injected.set(deviceToken, input.device.posture);
      }
      seen = {};
      try {
        const { request } = input;
        const { decision } = await pdp.evaluate({
          bearerToken: token,
          deviceToken,
          method: request.method,
          routeTemplate: request.route,
          pathParameters: {},
          host: request.host,
          sourceIp: request.sourceIp,
          vpceId: request.vpceId,
          userAgent: request.userAgent,
        });
        return { decision, ...seen };
      } finally {
        if (deviceToken !== undefined) injected.delete(deviceToken);
      }
    },
  };
}

/** Starts generating this run's keys (one pair per signing algorithm in the config); await it later. */
export function startKeyGeneration(config: LoadedConfig): Promise<Map<string, EphemeralKey>> {
  const { issuers, devicePosture } = config.config;
  return generateEphemeralKeys(signingAlgorithms([...issuers, ...devicePosture.providers]));
}
