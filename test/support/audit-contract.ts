import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterEach, vi } from "vitest";
import { AUDIT_SCHEMA } from "../../src/audit/record.js";
import { auditSchemaVersion } from "../../src/audit/record-schema.js";

/**
 * Every audit record the test suite produces is checked against the committed JSON Schema of its version
 * (schemas/audit-record/<version>.json), the file consumers validate against. A vitest setup file
 * (vitest.config.ts): records emitted in process (`emitAudit`, whatever the sink) and audit lines written
 * to stdout (the built bundles' Powertools logger and the stdout fallback) are checked here; records that
 * arrive from child processes (serverless-offline, unzipped bundles) are checked where the tests parse
 * them, with `checkAuditRecord`. A violation fails the test that produced it.
 */

const ROOT = join(import.meta.dirname, "../..");
const SCHEMA_FILE = join(ROOT, "schemas/audit-record", `${auditSchemaVersion(AUDIT_SCHEMA)}.json`);
// The date-time `format` is not checked by Ajv here: the schema's `pattern` (from zod) carries the same rule.
const ajv = new Ajv2020({ allErrors: true, strict: true, validateFormats: false });
let validate: ReturnType<typeof ajv.compile> | undefined;

export const auditContract = { checked: 0, violations: [] as string[] };

export function checkAuditRecord(record: unknown): void {
  auditContract.checked++;
  if (!existsSync(SCHEMA_FILE)) {
    auditContract.violations.push(`${SCHEMA_FILE} is missing: run npm run schema:audit`);
    return;
  }
  validate ??= ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
  if (validate(record)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || "(record)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
  auditContract.violations.push(`${problems.join("; ")}\n  record: ${JSON.stringify(record).slice(0, 400)}`);
}

vi.mock("../../src/audit/sink.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/audit/sink.js")>();
  return {
    ...original,
    emitAudit: (sink: import("../../src/audit/sink.js").AuditSink, record: unknown, maxString?: number) =>
      original.emitAudit(
        {
          write(safe) {
            checkAuditRecord(safe);
            return sink.write(safe);
          },
        },
        record as never,
        maxString,
      ),
  };
});

/** Checks the audit records among JSON log lines (Powertools `{"message":"audit","audit":{…}}` or the fallback). */
export function checkAuditLines(text: string): void {
  if (!text.includes('"message":"audit"')) return;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{") || !line.includes('"message":"audit"')) continue;
    try {
      const parsed = JSON.parse(line) as { message?: unknown; audit?: unknown };
      if (parsed.message === "audit") checkAuditRecord(parsed.audit);
    } catch {
      // Not one JSON line (e.g. a test printing something else): nothing to check.
    }
  }
}

// Audit lines printed in this process (the bundles loaded in process log through Powertools to stdout).
// Tests that capture stdout themselves (test/support/bundles.ts) check what they capture.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  checkAuditLines(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
  return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

afterEach(() => {
  if (auditContract.violations.length === 0) return;
  const found = auditContract.violations.splice(0);
  throw new Error(`${found.length} audit record(s) do not match schemas/audit-record/${auditSchemaVersion(AUDIT_SCHEMA)}.json:\n${found.join("\n")}`);
});
