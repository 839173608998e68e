import { randomUUID } from "node:crypto";
import { groupsView } from "../audit/decision-record.js";
import { deviceSummary } from "../audit/device-summary.js";
import { AUDIT_SCHEMA, type AuditRecord } from "../audit/record.js";
import type { AuditFacts } from "./deps.js";
import type { HttpRequest } from "./http.js";

/** The authorizers' audit record (same schema, same sanitizing sink), describing a sign-in or a token grant. */
export type LoginAuditRecord = AuditRecord & { trustProvider: { risk?: string; sessionExpiresAt?: number; clientAuth?: string } };

export function loginAuditRecord(f: AuditFacts, req: HttpRequest, nowMs: number, latencyUs: number): LoginAuditRecord {
  return {
    schema: AUDIT_SCHEMA,
    decisionId: randomUUID(),
    timestamp: new Date(nowMs).toISOString(),
    ...(req.requestId ? { requestId: req.requestId } : {}),
    outcome: f.outcome,
    effect: f.outcome === "allow" ? "allow" : "deny",
    principal: f.who ? { ...f.who.principal } : null,
    // No policy decides here, so no group is "named": the first ones are listed, the rest counted.
    ...groupsView((f.who?.groups ?? []).map((id) => ({ type: "Group", id })), undefined),
    identity: f.who?.identity ?? f.identity ?? {},
    device: f.who?.device ?? f.device ?? deviceSummary(undefined),
    action: `oidc:${f.action}`,
    resource: f.clientId ? { type: "VerifiedAccessClient", id: f.clientId } : null,
    request: {
      method: req.method,
      route: req.path,
      ...(req.host ? { host: req.host } : {}),
      ...(req.sourceIp ? { sourceIp: req.sourceIp } : {}),
      ...(req.userAgent ? { userAgent: req.userAgent } : {}),
    },
    determiningPolicies: [],
    errors: f.errors,
    policyRevision: "",
    engine: "trust-provider",
    latencyUs: Math.round(latencyUs * 10) / 10,
    trustProvider: {
      ...(f.risk ? { risk: f.risk } : {}),
      ...(f.sessionExpiresAt !== undefined ? { sessionExpiresAt: f.sessionExpiresAt } : {}),
      ...(f.clientAuth ? { clientAuth: f.clientAuth } : {}),
    },
  };
}
