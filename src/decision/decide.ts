import { randomUUID } from "node:crypto";
import { deviceSummary } from "../audit/device-summary.js";
import { identitySummary } from "../audit/identity-summary.js";
import { AUDIT_SCHEMA, type AuditRecord } from "../audit/record.js";
import { emitAudit, type AuditSink } from "../audit/sink.js";
import type { IdentityResult, VerifiedIdentity } from "../identity/types.js";
import type { EngineAnswer, PolicyEngine } from "../policy/engine.js";
import type { PostureResult } from "../posture/types.js";
import { buildQuery } from "./query.js";
import type { ResolvedResource, ResourceResolution } from "./resource.js";
import type { AccessRequest, Decision, DecisionError, Outcome } from "./types.js";

export interface IdentityVerifierPort {
  verify(token: string | undefined): Promise<IdentityResult>;
}

export interface PostureVerifierPort {
  /** Never rejects: an untrusted or missing device token yields the least-trusted posture. */
  verify(token: string | undefined, identity: VerifiedIdentity, nowSeconds: number): Promise<PostureResult>;
}

export interface DecisionPointDeps {
  identity: IdentityVerifierPort;
  posture: PostureVerifierPort;
  engine: PolicyEngine;
  resolveRoute: (method: string, routeTemplate: string) => ResourceResolution;
  audit: AuditSink;
  /** Epoch milliseconds; injectable so tests control token and posture age. */
  now?: () => number;
  newDecisionId?: () => string;
}

export interface DecisionPoint {
  decide(request: AccessRequest): Promise<Decision>;
  readonly engine: PolicyEngine;
}

/** Mutable scratchpad for one decision: whatever was learned before a failure still reaches the audit record. */
interface Trail {
  identityResult?: IdentityResult;
  postureResult?: PostureResult;
  resolved?: ResolvedResource;
  /** The revision the engine's answer names (a reloading engine may have moved on since). */
  revision?: string;
}

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
 *
 * Every row writes exactly one audit record.
 */
export function createDecisionPoint(deps: DecisionPointDeps): DecisionPoint {
  const now = deps.now ?? Date.now;
  const newId = deps.newDecisionId ?? randomUUID;
  const { engine } = deps;

  async function evaluate(request: AccessRequest, trail: Trail, nowMs: number): Promise<Omit<Decision, "decisionId" | "policyRevision">> {
    const identityResult = await deps.identity.verify(request.bearerToken);
    trail.identityResult = identityResult;
    if (!identityResult.ok) {
      const outcome: Outcome = identityResult.code === "jwks_unavailable" ? "error" : "unauthenticated";
      return denied(outcome, [{ code: identityResult.code, message: identityResult.message }]);
    }
    const identity = identityResult.identity;
    const nowSeconds = Math.floor(nowMs / 1000);
    const postureResult = await deps.posture.verify(request.deviceToken, identity, nowSeconds);
    trail.postureResult = postureResult;
    const principal = identity.principal;

    const resolution = deps.resolveRoute(request.method, request.routeTemplate);
    if (!resolution.ok) {
      return { ...denied("deny", [{ code: resolution.code, message: resolution.message }]), principal };
    }
    trail.resolved = resolution.resource;

    const query = buildQuery(identity, postureResult.posture, resolution.resource, request, nowSeconds);
    const answer = await askEngine(engine, query);
    trail.revision = answer.revision;
    return { ...fromEngineAnswer(answer), principal, posture: postureResult.posture };
  }

  return {
    engine,
    async decide(request) {
      const started = process.hrtime.bigint();
      const nowMs = now();
      const decisionId = newId();
      const trail: Trail = {};
      let result: Omit<Decision, "decisionId" | "policyRevision">;
      try {
        result = await evaluate(request, trail, nowMs);
      } catch (err) {
        // A bug or a fault we did not foresee: never an allow, still recorded.
        result = denied("error", [{ code: "internal_error", message: errorMessage(err) }]);
      }
      const decision: Decision = { decisionId, policyRevision: trail.revision ?? engine.revision, ...result };
      const latencyUs = Number(process.hrtime.bigint() - started) / 1000;
      emitAudit(deps.audit, auditRecord(decision, request, trail, nowMs, engine.name, latencyUs));
      return decision;
    },
  };
}

async function askEngine(engine: PolicyEngine, query: Parameters<PolicyEngine["isAuthorized"]>[0]): Promise<EngineAnswer> {
  try {
    return await engine.isAuthorized(query);
  } catch (err) {
    return { type: "failure", errors: [{ message: errorMessage(err) }] };
  }
}

function fromEngineAnswer(answer: EngineAnswer): Omit<Decision, "decisionId" | "policyRevision"> {
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

function denied(outcome: Outcome, errors: DecisionError[]): Omit<Decision, "decisionId" | "policyRevision"> {
  return { outcome, effect: "deny", determiningPolicies: [], errors };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function auditRecord(decision: Decision, request: AccessRequest, trail: Trail, nowMs: number, engine: string, latencyUs: number): AuditRecord {
  const idr = trail.identityResult;
  const identity = idr?.ok ? idr.identity : undefined;
  const route = trail.resolved?.route;
  return {
    schema: AUDIT_SCHEMA,
    decisionId: decision.decisionId,
    timestamp: new Date(nowMs).toISOString(),
    ...(request.requestId ? { requestId: request.requestId } : {}),
    outcome: decision.outcome,
    effect: decision.effect,
    principal: identity ? { ...identity.principal } : null,
    groups: identity ? identity.groups.map((g) => g.id) : [],
    identity: identity
      ? identitySummary(identity)
      : idr && !idr.ok
        ? {
            ...(idr.issuer ? { issuer: idr.issuer } : {}),
            ...(idr.tokenFingerprint ? { tokenFingerprint: idr.tokenFingerprint } : {}),
            ...(idr.kid !== undefined ? { kid: idr.kid } : {}),
          }
        : {},
    device: deviceSummary(trail.postureResult),
    action: request.method,
    resource: route ? { type: "Route", id: route.path, application: route.application, classification: route.classification } : null,
    request: {
      method: request.method,
      route: request.routeTemplate,
      ...(request.host ? { host: request.host } : {}),
      ...(request.sourceIp ? { sourceIp: request.sourceIp } : {}),
      ...(request.vpceId ? { vpceId: request.vpceId } : {}),
      ...(request.userAgent ? { userAgent: request.userAgent } : {}),
    },
    determiningPolicies: decision.determiningPolicies,
    errors: decision.errors,
    policyRevision: decision.policyRevision,
    engine,
    latencyUs: Math.round(latencyUs * 10) / 10,
  };
}
