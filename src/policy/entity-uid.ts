/**
 * Entity uids as map keys. Cedar compares uids by type and id, so the key is both, joined by a separator
 * that cannot occur in a type name (`"` never appears in one; ids may contain anything).
 */

export interface Uid {
  type: string;
  id: string;
}

export function uidKey(type: string, id: string): string {
  return `${type}"${id}`;
}

/**
 * A uid in Cedar's JSON forms (`{type, id}` or `{__entity: {type, id}}`), or undefined if the value is
 * not one. Used on policy JSON (trusted, produced by Cedar) and, defensively, on queries.
 */
export function asUid(value: unknown): Uid | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const inner = (value as { __entity?: unknown }).__entity ?? value;
  if (typeof inner !== "object" || inner === null) return undefined;
  const { type, id } = inner as { type?: unknown; id?: unknown };
  return typeof type === "string" && typeof id === "string" ? { type, id } : undefined;
}
