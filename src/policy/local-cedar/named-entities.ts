import type { ConditionReads } from "./condition-reads.js";
import type { EntityScope, PolicyScope } from "./policy-scope.js";

/**
 * Keys (`uidKey`) of every entity a policy set names: in a scope (`principal in Group::"HR"`,
 * `resource == Route::"/status"`) or as a literal in a condition. The audit record uses this to keep
 * every group that a policy can have decided on.
 */
export function namedEntityKeys(scopes: readonly PolicyScope[], reads: readonly ConditionReads[]): Set<string> {
  const keys = new Set<string>();
  const add = (scope: EntityScope) => {
    if ("key" in scope) keys.add(scope.key);
  };
  for (const s of scopes) {
    add(s.principal);
    add(s.resource);
  }
  for (const r of reads) for (const key of r.literals) keys.add(key);
  return keys;
}
