import type { Evaluation } from "../decision/decide.js";
import type { DecisionError, Outcome } from "../decision/types.js";
import { deviceSummary } from "./device-summary.js";
import { identitySummary } from "./identity-summary.js";
import { AUDIT_SCHEMA, type AuditRecord } from "./record.js";
import { DEFAULT_MAX_STRING, safeString } from "./sanitize.js";

/** Groups no policy names are listed up to this many (ids capped like any string); the rest are counted. */
export const MAX_OTHER_GROUPS = 20;

/** What the gateway got for a decision: the recorded outcome, plus any error from building the response. */
export interface Delivery {
  outcome: Outcome;
  errors?: DecisionError[];
}

export interface DecisionRecordOptions {
  engine: string;
  /** Whether a policy names this entity (`Group::"HR"`): such groups are always recorded in full. */
  namesEntity?: (type: string, id: string) => boolean;
}

/** The audit record of one evaluation, as delivered. Strings are escaped and capped later, by `emitAudit`. */
export function auditRecordFor(evaluation: Evaluation, delivered: Delivery, opts: DecisionRecordOptions): AuditRecord {
  const { decision, request, trail, nowMs } = evaluation;
  const idr = trail.identityResult;
  const identity = idr?.ok ? idr.identity : undefined;
  const route = trail.resolved?.route;
  const latencyUs = Number(process.hrtime.bigint() - evaluation.startedNs) / 1000;
  return {
    schema: AUDIT_SCHEMA,
    decisionId: decision.decisionId,
    timestamp: new Date(nowMs).toISOString(),
    ...(request.requestId ? { requestId: request.requestId } : {}),
    outcome: delivered.outcome,
    effect: delivered.outcome === "allow" ? "allow" : "deny",
    principal: identity ? { ...identity.principal } : null,
    ...groupsView(identity?.groups ?? [], opts.namesEntity),
    identity: identity
      ? identitySummary(identity)
      : idr && !idr.ok
        ? {
            ...(idr.issuerName ? { issuer: idr.issuerName } : {}),
            ...(idr.claimedIssuer !== undefined ? { claimedIssuer: idr.claimedIssuer } : {}),
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
      // Only strings: a buggy adapter's value (decided as internal_error) must not break the record's schema.
      ...(isText(request.host) ? { host: request.host } : {}),
      ...(isText(request.sourceIp) ? { sourceIp: request.sourceIp } : {}),
      ...(isText(request.vpceId) ? { vpceId: request.vpceId } : {}),
      ...(isText(request.userAgent) ? { userAgent: request.userAgent } : {}),
    },
    determiningPolicies: decision.determiningPolicies,
    errors: [...decision.errors, ...(delivered.errors ?? [])],
    policyRevision: decision.policyRevision,
    engine: opts.engine,
    latencyUs: Math.round(latencyUs * 10) / 10,
  };
}

/**
 * A token may carry hundreds of groups; a record listing them all would be huge, and a record cut at a
 * fixed count could drop the very group that decided. So: every group a policy names, in full; then the
 * others up to a bound; and the counts, so a reader knows exactly what is missing.
 */
export function groupsView(
  groups: readonly { type: string; id: string }[],
  namesEntity: DecisionRecordOptions["namesEntity"],
): Pick<AuditRecord, "groups" | "groupCount" | "groupsOmitted"> {
  const named: string[] = [];
  const others: string[] = [];
  for (const g of groups) {
    if (namesEntity?.(g.type, g.id)) named.push(g.id);
    else if (others.length < MAX_OTHER_GROUPS) others.push(safeString(g.id, DEFAULT_MAX_STRING));
  }
  return { groups: [...named, ...others], groupCount: groups.length, groupsOmitted: groups.length - named.length - others.length };
}

function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}
