import { createHash } from "node:crypto";

/**
 * The policy-set revision that goes into every decision and audit record.
 *
 * Definition (format 1): `sha256:` + the first 16 hex digits of SHA-256 over the canonical JSON of
 * `{ format: 1, schema: <schema as Cedar JSON>, policies: [[id, <policy as Cedar JSON>], ...] }`, policies
 * sorted by id, object keys sorted at every level.
 *
 * Hashing Cedar's JSON form rather than the source text means the revision changes exactly when what is
 * evaluated changes: a policy, its id, its annotations, or the schema. It does not change with file order,
 * file names of policies that carry `@id`, whitespace, or comments. A Cedar upgrade that changes the JSON
 * form changes the revision; that is acceptable (it is also a new evaluator).
 */
export function computeRevision(schemaJson: unknown, policies: ReadonlyArray<{ id: string; json: unknown }>): string {
  const sorted = [...policies].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const canonical = canonicalJson({ format: 1, schema: schemaJson, policies: sorted.map((p) => [p.id, p.json]) });
  return "sha256:" + createHash("sha256").update(canonical, "utf8").digest("hex").slice(0, 16);
}

/** JSON with object keys sorted (code-unit order) at every level; `undefined` members dropped like JSON does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}
