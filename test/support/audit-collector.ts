import type { AuditRecord } from "../../src/audit/record.js";
import { checkAuditRecord } from "./audit-contract.js";

/** Collects audit records as a stack relays them (each checked against the audit JSON Schema), and waits for one that matches. */
export interface AuditCollector {
  audits: AuditRecord[];
  push(record: AuditRecord): void;
  waitForAudit(match: (r: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord>;
}

export function auditCollector(): AuditCollector {
  const audits: AuditRecord[] = [];
  const waiters = new Set<() => void>();
  return {
    audits,
    push(record) {
      checkAuditRecord(record);
      audits.push(record);
      for (const wake of waiters) wake();
    },
    waitForAudit(match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = audits.find(match);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching audit record within ${timeoutMs} ms (${audits.length} records seen)`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
  };
}
