import { MemoryAuditSink } from "../../src/audit/sink.js";
import { createDecisionPoint, type DecisionPointDeps } from "../../src/decision/decide.js";
import { createRouteResolver } from "../../src/decision/resource.js";
import { recordDecisions } from "../../src/recorded-decisions.js";
import type { AccessRequest } from "../../src/decision/types.js";
import type { IdentityResult, VerifiedIdentity } from "../../src/identity/types.js";
import type { AuthorizationQuery, EngineAnswer, PolicyEngine } from "../../src/policy/engine.js";
import { LEAST_TRUSTED_POSTURE, type PostureResult } from "../../src/posture/types.js";

/** Unit-test doubles for the decision pipeline's ports. End-to-end tests use the real parts instead. */

export const NOW_MS = Date.UTC(2026, 10, 23, 12, 0, 0);

export function alice(overrides: Partial<VerifiedIdentity> = {}): VerifiedIdentity {
  return {
    kind: "user",
    issuerName: "idp",
    issuer: "https://idp.example.com",
    principal: { type: "User", id: "alice" },
    groups: [{ type: "Group", id: "Employees" }],
    subject: "alice",
    tokenUse: "access",
    amr: ["pwd", "mfa"],
    mfa: true,
    issuedAt: NOW_MS / 1000 - 30,
    expiresAt: NOW_MS / 1000 + 600,
    tokenFingerprint: "f".repeat(64),
    jti: "jti-1",
    bindingClaims: { sub: "alice" },
    ...overrides,
  };
}

export function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    bearerToken: "header.payload.signature",
    deviceToken: undefined,
    method: "GET",
    routeTemplate: "/wiki/{page}",
    pathParameters: { page: "home" },
    host: "api.example.com",
    sourceIp: "10.1.2.3",
    vpceId: undefined,
    userAgent: "curl/8",
    requestId: "req-1",
    ...overrides,
  };
}

export class FakeEngine implements PolicyEngine {
  readonly name = "local-cedar" as const;
  readonly revision = "sha256:test";
  readonly queries: AuthorizationQuery[] = [];
  constructor(private readonly answer: EngineAnswer | (() => EngineAnswer)) {}
  isAuthorized(query: AuthorizationQuery): EngineAnswer {
    this.queries.push(query);
    return typeof this.answer === "function" ? this.answer() : this.answer;
  }
}

export function pipeline(opts: {
  identity?: IdentityResult | (() => Promise<IdentityResult>);
  posture?: PostureResult;
  engine?: PolicyEngine;
}) {
  const audit = new MemoryAuditSink();
  const engine = opts.engine ?? new FakeEngine({ type: "success", decision: "allow", determiningPolicies: ["p1"], errors: [] });
  const identity = opts.identity ?? { ok: true, identity: alice() };
  const deps: DecisionPointDeps = {
    identity: { verify: typeof identity === "function" ? identity : async () => identity },
    posture: { verify: async () => opts.posture ?? { posture: { ...LEAST_TRUSTED_POSTURE }, failure: { code: "device_token_missing", message: "no device token" } } },
    engine,
    resolveRoute: createRouteResolver([
      { path: "/wiki/{page}", application: "wiki", classification: "internal" },
      { path: "/hr/records/{employeeId}", application: "hr", classification: "restricted" },
    ]),
    now: () => NOW_MS,
    newDecisionId: () => "decision-1",
  };
  // The core and the composition root's recorder, as createPdp wires them.
  return { pdp: recordDecisions(createDecisionPoint(deps), { audit }), audit, engine };
}
