import type { AuditRecord } from "./record.js";
import { sanitize, safeString } from "./sanitize.js";

/**
 * Entity ids (the principal, policy-named groups) are kept whole: a cut id could hide who was decided on.
 * They are already bounded by `limits.maxClaimStringLength` (at most 4096) when the token is mapped.
 */
export const MAX_ENTITY_ID = 4096;

/**
 * The record with every string escaped and every other field capped (`sanitize`), except the entity ids,
 * which are escaped and bounded by `MAX_ENTITY_ID`, and the group list, whose length the record builder
 * already bounded (policy-named groups, then a capped remainder).
 */
export function sanitizeRecord(record: AuditRecord, maxString?: number): AuditRecord {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (key === "principal") out[key] = value === null ? null : entityUid(value as { type: string; id: string });
    else if (key === "groups" && Array.isArray(value)) out[key] = value.map((g) => safeString(String(g), MAX_ENTITY_ID));
    else out[safeString(key, 64)] = sanitize(value, maxString);
  }
  return out as unknown as AuditRecord;
}

/** `User::alice` in the form the IAM principalId and the integration context carry: escaped and bounded like the record. */
export function principalLabel(principal: { type: string; id: string } | undefined): string {
  return principal ? `${safeString(principal.type)}::${safeString(principal.id, MAX_ENTITY_ID)}` : "";
}

function entityUid(uid: { type: string; id: string }): { type: string; id: string } {
  return { type: safeString(String(uid.type)), id: safeString(String(uid.id), MAX_ENTITY_ID) };
}
