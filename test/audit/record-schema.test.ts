import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_SCHEMA } from "../../src/audit/record.js";
import { auditRecordJsonSchema, auditSchemaVersion } from "../../src/audit/record-schema.js";
import { MemoryAuditSink, emitAudit } from "../../src/audit/sink.js";
import { auditContract, checkAuditRecord } from "../support/audit-contract.js";
import { ROOT } from "../support/local-config.js";

// The audit record's JSON Schema is generated from the code (src/audit/record-schema.ts) and committed,
// one file per version. `npm run schema:audit` writes a new version's file and refuses to rewrite a
// published one: a changed shape needs a new AUDIT_SCHEMA version.

const FILE = join(ROOT, "schemas/audit-record", `${auditSchemaVersion()}.json`);
const generated = `${JSON.stringify(auditRecordJsonSchema(), null, 2)}\n`;

describe("the audit record's JSON Schema", () => {
  it("is committed for the current version, exactly as generated from the code", () => {
    if (process.env.ZTPDP_WRITE_AUDIT_SCHEMA === "1") {
      if (existsSync(FILE) && readFileSync(FILE, "utf8") !== generated) {
        throw new Error(`the audit record's shape changed but its version did not: ${FILE} is published. Bump AUDIT_SCHEMA (src/audit/record.ts, now ${AUDIT_SCHEMA}), then run npm run schema:audit again`);
      }
      mkdirSync(join(ROOT, "schemas/audit-record"), { recursive: true });
      writeFileSync(FILE, generated);
    }
    expect(existsSync(FILE), `${FILE} is missing: run npm run schema:audit`).toBe(true);
    expect(readFileSync(FILE, "utf8"), "the committed schema is stale: a changed shape needs a new AUDIT_SCHEMA version, then npm run schema:audit").toBe(generated);
  });

  it("accepts the README's sample record", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Audit records"));
    const sample = /```json\n(.*)\n```/.exec(section)?.[1];
    expect(sample, "README ## Audit records has a ```json sample line").toBeDefined();
    const line = JSON.parse(sample!) as { message: string; audit: { schema: string } };
    expect(line.message).toBe("audit");
    expect(line.audit.schema).toBe(AUDIT_SCHEMA);
    const before = auditContract.violations.length;
    checkAuditRecord(line.audit);
    expect(auditContract.violations.splice(before)).toEqual([]);
  });

  it("is enforced on the records tests write: an unknown field or a missing one is caught", () => {
    const sink = new MemoryAuditSink();
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const { audit } = JSON.parse(/```json\n(.*)\n```/.exec(readme.slice(readme.indexOf("## Audit records")))![1]!) as { audit: Record<string, unknown> };
    const before = auditContract.checked;
    emitAudit(sink, { ...audit, surprise: 1 } as never);
    const { latencyUs: _dropped, ...missing } = audit;
    emitAudit(sink, missing as never);
    expect(auditContract.checked - before).toBe(2);
    const found = auditContract.violations.splice(0);
    expect(found).toHaveLength(2);
    expect(found[0]).toContain("must NOT have additional properties (surprise)");
    expect(found[1]).toContain("must have required property 'latencyUs'");
  });
});
