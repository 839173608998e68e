import { Logger } from "@aws-lambda-powertools/logger";
import type { AuditRecord } from "./record.js";
import { sanitizeRecord } from "./record-sanitize.js";

export interface AuditSink {
  /**
   * Must not throw: a failing sink falls back to stdout so no decision goes unrecorded. An async function
   * also fits this type; its rejected promise falls back to stdout the same way.
   */
  write(record: AuditRecord): void;
}

/** Escapes and caps every string, then hands the record to the sink. The only way records leave the core. */
export function emitAudit(sink: AuditSink, record: AuditRecord, maxString?: number): void {
  const safe = sanitizeRecord(record, maxString);
  try {
    const pending: unknown = sink.write(safe);
    // An async sink type-checks as a `void` one: its rejection must neither lose the record nor surface
    // as an unhandled rejection (which ends a Lambda invocation with an error after the decision was made).
    if (isThenable(pending)) pending.then(undefined, (err: unknown) => writeFallback(safe, err));
  } catch (err) {
    writeFallback(safe, err);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/** Last resort: one JSON line straight to stdout, marked so the loss of the primary sink is visible. */
export function writeFallback(record: AuditRecord, cause: unknown): void {
  const line = JSON.stringify({ level: "ERROR", message: "audit", auditSinkFailed: describeCause(cause), audit: record });
  process.stdout.write(`${line}\n`);
}

/** `String(cause)` throws for some values (a null-prototype object): the fallback itself must not throw. */
function describeCause(cause: unknown): string {
  try {
    return String(cause).slice(0, 200);
  } catch {
    return "unprintable error";
  }
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
