import { randomBytes } from "node:crypto";

/** What the local endpoint keeps per policy store (in memory, for one process). */

export interface EntityIdentifier {
  entityType: string;
  entityId: string;
}

export interface StoredPolicy {
  policyId: string;
  policyType: "STATIC" | "TEMPLATE_LINKED";
  /** Static policies only. */
  statement?: string;
  description?: string;
  /** Template-linked policies only. */
  policyTemplateId?: string;
  /** The scope's `==`/`in` entity, or the linked slot values. */
  principal?: EntityIdentifier;
  resource?: EntityIdentifier;
  effect: "Permit" | "Forbid";
  name?: string;
  createdDate: Date;
  lastUpdatedDate: Date;
}

export interface StoredTemplate {
  policyTemplateId: string;
  statement: string;
  description?: string;
  createdDate: Date;
  lastUpdatedDate: Date;
}

export interface StoredSchema {
  /** The Cedar JSON schema exactly as put (GetSchema returns it as a string). */
  text: string;
  namespaces: string[];
  createdDate: Date;
  lastUpdatedDate: Date;
}

export interface PolicyStore {
  policyStoreId: string;
  arn: string;
  validationMode: "STRICT" | "OFF";
  description?: string;
  createdDate: Date;
  lastUpdatedDate: Date;
  schema?: StoredSchema;
  policies: Map<string, StoredPolicy>;
  templates: Map<string, StoredTemplate>;
  /** Bumped on every change that affects evaluation (policies, templates, schema). */
  version: number;
  /** Last timestamp handed out: every write gets a strictly later `lastUpdatedDate` than the one before. */
  clock: number;
}

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Ids shaped like the service's (`PSEXAMPLEabcdefg111111`: a prefix and random alphanumerics, 22 characters). */
export function newId(prefix: string): string {
  const bytes = randomBytes(22 - prefix.length);
  let out = prefix;
  for (const b of bytes) out += ID_CHARS[b % ID_CHARS.length];
  return out;
}

/**
 * Records a write to `store`: a new version (what evaluate.ts keys its parsed policy sets on) and the write
 * time, now or 1 ms after the previous write, so change detection by date is exact.
 */
export function markWritten(store: PolicyStore): Date {
  store.version += 1;
  store.clock = Math.max(Date.now(), store.clock + 1);
  return new Date(store.clock);
}

export function newStore(validationMode: "STRICT" | "OFF", description?: string): PolicyStore {
  const policyStoreId = newId("PS");
  const now = new Date();
  return {
    policyStoreId,
    arn: `arn:aws:verifiedpermissions::123456789012:policy-store/${policyStoreId}`,
    validationMode,
    ...(description !== undefined ? { description } : {}),
    createdDate: now,
    lastUpdatedDate: now,
    policies: new Map(),
    templates: new Map(),
    version: 0,
    clock: now.getTime(),
  };
}
