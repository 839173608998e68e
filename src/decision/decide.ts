import { randomUUID } from "node:crypto";
import type { IdentityResult, VerifiedIdentity } from "../identity/types.js";
import type { EngineAnswer, PolicyEngine } from "../policy/engine.js";
import type { PostureResult } from "../posture/types.js";
import { duplicatedDeviceToken } from "../posture/verifier.js";
import { buildQuery } from "./query.js";
import type { ResolvedResource, ResourceResolution } from "./resource.js";
import type { AccessRequest, Decision, DecisionError, Outcome } from "./types.js";

export interface IdentityVerifierPort {
  /** `request` lets an identity source read other credentials than the bearer token (AVA's signed header). */
  verify(token: string | undefined, request?: AccessRequest): Promise<IdentityResult>;
}

export interface PostureVerifierPort {
  /** Never rejects: an untrusted or missing device token yields the least-trusted posture. */
  verify(token: string | undefined, identity: VerifiedIdentity, nowSeconds: number): Promise<PostureResult>;
}

/** Builds the Cedar request; the default is the project's model (query.ts), AVA mode brings its own (src/ava). */
export type QueryBuilder = (args: {
  identity: VerifiedIdentity;
  posture: PostureResult;
  resource: ResolvedResource;
  request: AccessRequest;
  nowSeconds: number;
}) => Parameters<PolicyEngine["isAuthorized"]>[0];

export interface DecisionPointDeps {
  identity: IdentityVerifierPort;
  posture: PostureVerifierPort;
  engine: PolicyEngine;
  resolveRoute: (method: string, routeTemplate: string) => ResourceResolution;
  buildQuery?: QueryBuilder;
  /** Epoch milliseconds; injectable so tests control token and posture age. */
  now?: () => number;
  newDecisionId?: () => string;
}

/** What one decision learned, step by step: whatever was learned before a failure still reaches the audit record. */
export interface DecisionTrail {
  identityResult?: IdentityResult;
  postureResult?: PostureResult;
  resolved?: ResolvedResource;
  /** The revision the engine's answer names (a reloading engine may have moved on since). */
  revision?: string;
}

/**
 * A decision and the facts behind it. The core returns it and writes nothing: the composition root
 * (src/pdp.ts) lets the adapter build its answer first and then records what the gateway actually got.
 */
export interface Evaluation {
  decision: Decision;
  request: AccessRequest;
  trail: Readonly<DecisionTrail>;
  /** Epoch ms the decision was made at (the audit timestamp). */
  nowMs: number;
  /** `process.hrtime.bigint()` when the decision started, for the recorded latency. */
  startedNs: bigint;
}

export interface EvaluateOptions {
  /**
   * Milliseconds this decision may take. When they run out (a slow IdP, a hung key fetch) the decision
   * ends as `error` (`decision_deadline_exceeded`) so it is still answered and recorded before the
   * function itself times out; the abandoned work finishes or times out on its own, unobserved.
   */
  deadlineMs?: number;
}

export interface DecisionPoint {
  evaluate(request: AccessRequest, options?: EvaluateOptions): Promise<Evaluation>;
  readonly engine: PolicyEngine;
}

type Result = Omit<Decision, "decisionId" | "policyRevision">;

/**
 * The decision pipeline. Default deny, written out:
 *
 * | step     | result                         | outcome          | effect |
 * |----------|--------------------------------|------------------|--------|
 * | identity | missing/invalid token          | unauthenticated  | deny   |
 * | identity | signing keys unreachable       | error            | deny   |
 * | posture  | missing/invalid device token   | (continues, least-trusted posture)  |
 * | resource | unknown route or method        | deny             | deny   |
 * | engine   | failure (could not evaluate)   | deny             | deny   |
 * | engine   | any per-policy error           | deny             | deny   |
 * | engine   | deny                           | deny             | deny   |
 * | engine   | allow with no errors           | allow            | allow  |
 * | any      | unexpected exception           | error            | deny   |
 * | any      | deadline passed                | error            | deny   |
 *
 * The core writes no audit record: every row above is recorded exactly once by the composition root.
 */
export function createDecisionPoint(deps: DecisionPointDeps): DecisionPoint {
  const now = deps.now ?? Date.now;
  const newId = deps.newDecisionId ?? randomUUID;
  const { engine } = deps;

  async function steps(request: AccessRequest, trail: DecisionTrail, nowMs: number): Promise<Result> {
    const identityResult = await deps.identity.verify(request.bearerToken, request);
    trail.identityResult = identityResult;
    if (!identityResult.ok) {
      const outcome: Outcome = identityResult.code === "jwks_unavailable" ? "error" : "unauthenticated";
      return denied(outcome, [{ code: identityResult.code, message: identityResult.message }]);
    }
    const identity = identityResult.identity;
    const nowSeconds = Math.floor(nowMs / 1000);
    const postureResult = request.deviceTokenDuplicated
      ? duplicatedDeviceToken()
      : await deps.posture.verify(request.deviceToken, identity, nowSeconds);
    trail.postureResult = postureResult;
    const principal = identity.principal;

    const resolution = deps.resolveRoute(request.method, request.routeTemplate);
    if (!resolution.ok) {
      return { ...denied("deny", [{ code: resolution.code, message: resolution.message }]), principal };
    }
    trail.resolved = resolution.resource;

    const query = deps.buildQuery
      ? deps.buildQuery({ identity, posture: postureResult, resource: resolution.resource, request, nowSeconds })
      : buildQuery(identity, postureResult.posture, resolution.resource, request, nowSeconds);
    const answer = await askEngine(engine, query);
    trail.revision = answer.revision;
    return { ...fromEngineAnswer(answer), principal, posture: postureResult.posture };
  }

  return {
    engine,
    async evaluate(request, options = {}) {
      const startedNs = process.hrtime.bigint();
      const nowMs = now();
      const decisionId = newId();
      const trail: DecisionTrail = {};
      const work = steps(request, trail, nowMs).catch(
        // A bug or a fault we did not foresee: never an allow, still recorded.
        (err: unknown): Result => denied("error", [{ code: "internal_error", message: errorMessage(err) }]),
      );
      const result = options.deadlineMs === undefined ? await work : await withDeadline(work, options.deadlineMs);
      // A snapshot: work abandoned at the deadline may still write to `trail` later.
      return { decision: { decisionId, policyRevision: trail.revision ?? engine.revision, ...result }, request, trail: { ...trail }, nowMs, startedNs };
    },
  };
}

async function withDeadline(work: Promise<Result>, deadlineMs: number): Promise<Result> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<Result>((resolve) => {
    timer = setTimeout(
      () => resolve(denied("error", [{ code: "decision_deadline_exceeded", message: `no decision within ${Math.round(deadlineMs)} ms` }])),
      Math.max(0, deadlineMs),
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function askEngine(engine: PolicyEngine, query: Parameters<PolicyEngine["isAuthorized"]>[0]): Promise<EngineAnswer> {
  try {
    return await engine.isAuthorized(query);
  } catch (err) {
    return { type: "failure", errors: [{ message: errorMessage(err) }] };
  }
}

function fromEngineAnswer(answer: EngineAnswer): Result {
  if (answer.type === "failure") {
    const code = answer.code ?? "engine_failure";
    // The engine could not answer (down, throttled, stale copy): a server fault, recorded as such.
    const outcome: Outcome = code === "engine_failure" ? "deny" : "error";
    return denied(
      outcome,
      answer.errors.map((e) => ({ code, message: e.message, ...(e.policyId ? { policyId: e.policyId } : {}) })),
    );
  }
  // Cedar skips a policy that errors and still answers: a forbid that errors does not forbid. Any error denies.
  const errors: DecisionError[] = answer.errors.map((e) => ({
    code: "policy_evaluation_error",
    message: e.message,
    ...(e.policyId ? { policyId: e.policyId } : {}),
  }));
  if (answer.decision === "allow" && errors.length === 0) {
    return { outcome: "allow", effect: "allow", determiningPolicies: answer.determiningPolicies, errors: [] };
  }
  if (answer.decision === "deny") {
    const reason = answer.determiningPolicies.length > 0 ? "forbidden by policy" : "no policy permits this request";
    errors.push({ code: "policy_denied", message: reason });
  }
  return { outcome: "deny", effect: "deny", determiningPolicies: answer.determiningPolicies, errors };
}

function denied(outcome: Outcome, errors: DecisionError[]): Result {
  return { outcome, effect: "deny", determiningPolicies: [], errors };
}

export function errorMessage(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return "unprintable error";
  }
}
