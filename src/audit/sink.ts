import { Logger } from "@aws-lambda-powertools/logger";
import type { AuditRecord } from "./record.js";
import { sanitize } from "./sanitize.js";

export interface AuditSink {
  /** Must not throw: a failing sink falls back to stdout so no decision goes unrecorded. */
  write(record: AuditRecord): void;
}

/** Escapes and caps every string, then hands the record to the sink. The only way records leave the core. */
export function emitAudit(sink: AuditSink, record: AuditRecord, maxString?: number): void {
  const safe = sanitize(record, maxString) as AuditRecord;
  try {
    sink.write(safe);
  } catch (err) {
    writeFallback(safe, err);
  }
}

/** Last resort: one JSON line straight to stdout, marked so the loss of the primary sink is visible. */
export function writeFallback(record: AuditRecord, cause: unknown): void {
  const line = JSON.stringify({ level: "ERROR", message: "audit", auditSinkFailed: String(cause).slice(0, 200), audit: record });
  process.stdout.write(`${line}\n`);
}

/**
 * Audit records as one structured JSON line through the Powertools logger (`message: "audit"`, the record
 * under `audit`). The logger is dedicated to audit so application log-level settings cannot drop records:
 * if the effective level would suppress INFO (e.g. Lambda advanced logging set to WARN), records go to the
 * stdout fallback instead of vanishing.
 */
export function powertoolsAuditSink(logger: Logger = new Logger({ serviceName: "ztpdp-audit", logLevel: "INFO" })): AuditSink {
  const infoSuppressed = () => logger.getLevelName() !== "DEBUG" && logger.getLevelName() !== "INFO" && logger.getLevelName() !== "TRACE";
  return {
    write(record) {
      if (infoSuppressed()) {
        writeFallback(record, "audit logger level above INFO");
        return;
      }
      logger.info("audit", { audit: record });
    },
  };
}

/** Keeps records in memory: for tests, the CLI and the dev server's printer. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
  last(): AuditRecord | undefined {
    return this.records.at(-1);
  }
}
