import { Logger } from "@aws-lambda-powertools/logger";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AUDIT_SCHEMA, type AuditRecord } from "../../src/audit/record.js";
import { emitAudit, MemoryAuditSink, powertoolsAuditSink } from "../../src/audit/sink.js";

function record(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    schema: AUDIT_SCHEMA,
    decisionId: "d-1",
    timestamp: "2026-11-23T00:00:00.000Z",
    outcome: "deny",
    effect: "deny",
    principal: null,
    groups: [],
    groupCount: 0,
    groupsOmitted: 0,
    identity: {},
    device: { verified: false, provider: "none", managed: false, compliant: false, os: "unknown 0.0.0", patched: false, riskLevel: "unknown", edrScore: 0, ageSeconds: 0 },
    action: "GET",
    resource: null,
    request: { method: "GET", route: "/wiki" },
    determiningPolicies: [],
    errors: [],
    policyRevision: "sha256:x",
    engine: "local-cedar",
    latencyUs: 1,
    ...overrides,
  };
}

function captureStdout(): { lines: () => string[]; restore: () => void } {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { lines: () => chunks.join("").split("\n").filter(Boolean), restore: () => spy.mockRestore() };
}

afterEach(() => vi.restoreAllMocks());

describe("emitAudit", () => {
  it("escapes strings before the sink sees them", () => {
    const sink = new MemoryAuditSink();
    emitAudit(sink, record({ identity: { kid: "a\nb" } }));
    expect(sink.last()?.identity.kid).toBe("a\\u{000a}b");
  });

  it("falls back to one stdout line when the sink throws, so the record is not lost", () => {
    const out = captureStdout();
    emitAudit({ write: () => { throw new Error("disk full"); } }, record());
    out.restore();
    expect(out.lines()).toHaveLength(1);
    const line = JSON.parse(out.lines()[0]!);
    expect(line.audit.decisionId).toBe("d-1");
    expect(line.auditSinkFailed).toContain("disk full");
  });
});

describe("powertoolsAuditSink", () => {
  it("writes one JSON line with the record under `audit`", () => {
    const out = captureStdout();
    powertoolsAuditSink(new Logger({ serviceName: "t", logLevel: "INFO" })).write(record());
    out.restore();
    expect(out.lines()).toHaveLength(1);
    const line = JSON.parse(out.lines()[0]!);
    expect(line.message).toBe("audit");
    expect(line.audit.schema).toBe(AUDIT_SCHEMA);
  });

  it("still records when the logger level would drop INFO", () => {
    const out = captureStdout();
    powertoolsAuditSink(new Logger({ serviceName: "t", logLevel: "ERROR" })).write(record());
    out.restore();
    expect(out.lines()).toHaveLength(1);
    expect(JSON.parse(out.lines()[0]!).audit.decisionId).toBe("d-1");
  });
});
