import { validation } from "./errors.js";
import type { EntityIdentifier } from "./model.js";

/**
 * Reading request members the way the service validates them: a wrong type, a missing required member, a
 * length or pattern outside the model's constraints is a `ValidationException` naming the member's path.
 * Constraints come from the API reference of each operation (e.g.
 * https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_CreatePolicy.html).
 */

export type Body = Record<string, unknown>;

interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
}

export function optString(o: Body, key: string, path: string, rule: StringRule = {}): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const at = path ? `${path}.${key}` : key;
  if (typeof v !== "string") throw validation(`${at} must be a string`, at);
  if (rule.min !== undefined && v.length < rule.min) throw validation(`${at} must have length at least ${rule.min}`, at);
  if (rule.max !== undefined && v.length > rule.max) throw validation(`${at} must have length at most ${rule.max}`, at);
  if (rule.pattern && !rule.pattern.test(v)) throw validation(`${at} must satisfy the pattern ${rule.pattern.source}`, at);
  return v;
}

export function reqString(o: Body, key: string, path: string, rule: StringRule = {}): string {
  const v = optString(o, key, path, rule);
  if (v === undefined) throw validation(`${path ? `${path}.` : ""}${key} is required`, path ? `${path}.${key}` : key);
  return v;
}

export function optObject(o: Body, key: string, path: string): Body | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const at = path ? `${path}.${key}` : key;
  if (typeof v !== "object" || Array.isArray(v)) throw validation(`${at} must be a structure`, at);
  return v as Body;
}

export function reqObject(o: Body, key: string, path: string): Body {
  const v = optObject(o, key, path);
  if (v === undefined) throw validation(`${path ? `${path}.` : ""}${key} is required`, path ? `${path}.${key}` : key);
  return v;
}

export function optArray(o: Body, key: string, path: string, min: number, max: number): unknown[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const at = path ? `${path}.${key}` : key;
  if (!Array.isArray(v)) throw validation(`${at} must be a list`, at);
  if (v.length < min || v.length > max) throw validation(`${at} must have between ${min} and ${max} members`, at);
  return v;
}

export function optInt(o: Body, key: string, path: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  const at = path ? `${path}.${key}` : key;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw validation(`${at} must be an integer from ${min} to ${max}`, at);
  return v;
}

/** A union member: exactly one of `members` must be set (awsJson unions are objects with one key). */
export function union(o: Body, path: string, members: readonly string[]): [string, unknown] {
  const set = Object.entries(o).filter(([k, v]) => v !== undefined && v !== null && members.includes(k));
  const unknown = Object.keys(o).filter((k) => !members.includes(k) && k !== "__type");
  if (set.length !== 1 || unknown.length > 0) throw validation(`${path} must set exactly one of ${members.join(", ")}`, path);
  return set[0] as [string, unknown];
}

export const POLICY_STORE_ID = { min: 1, max: 200, pattern: /^[a-zA-Z0-9-/_]*$/ };
export const RESOURCE_ID = { min: 1, max: 200, pattern: /^[a-zA-Z0-9-/_]*$/ };
export const ENTITY_PART = { min: 1, max: 200 };
export const DESCRIPTION = { min: 0, max: 150 };
export const NEXT_TOKEN = { min: 1, max: 8000, pattern: /^[A-Za-z0-9-_=+/.]*$/ };
export const CLIENT_TOKEN = { min: 1, max: 64, pattern: /^[a-zA-Z0-9-]*$/ };

export function entityIdentifier(o: Body, path: string): EntityIdentifier {
  return { entityType: reqString(o, "entityType", path, ENTITY_PART), entityId: reqString(o, "entityId", path, ENTITY_PART) };
}

export function optEntityIdentifier(o: Body, key: string, path: string): EntityIdentifier | undefined {
  const v = optObject(o, key, path);
  return v ? entityIdentifier(v, `${path ? `${path}.` : ""}${key}`) : undefined;
}
