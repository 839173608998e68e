import { dirname, relative, resolve, sep, isAbsolute } from "node:path";
import type { AuthorizationQuery, CedarValue, EntityJson } from "../../policy/engine.js";
import { Checker, describe, isPlainObject } from "./check.js";
import { readSourceDoc, type Path } from "./source.js";

/**
 * Cedar's own test format, the JSON file `cedar run-tests --tests FILE` reads, for teams that already
 * have one: a list of
 *
 *     { "name": "...", "request": { "principal": "User::\"alice\"", "action": "Action::\"GET\"",
 *       "resource": "Route::\"/wiki\"", "context": {...} }, "entities": [...] | "entities.json",
 *       "decision": "allow" | "deny", "reason": ["policy-id", ...], "num_errors": 0 }
 *
 * These run on the same engine (same policies, same schema, request validation on) but bypass identity
 * and posture mapping: the test supplies entities and context itself. Checks follow `cedar run-tests`:
 * same decision, every listed reason among the determining policies, exactly `num_errors` errors.
 * Policy ids are this project's (`@id`, else `<file>#<index>`), not Cedar's `policy0`.
 */
export interface CedarCase {
  name: string;
  query: AuthorizationQuery;
  decision: "allow" | "deny";
  reason: string[];
  numErrors: number;
}

export const CEDAR_TEST_KEYS = ["name", "request", "entities", "decision", "reason", "num_errors"] as const;

export function readCedarCase(
  raw: unknown,
  path: Path,
  check: Checker,
  testFile: string,
  index: number,
  referenced: Set<string>,
): CedarCase | undefined {
  const before = check.issues.length;
  const t = check.object(raw, path, CEDAR_TEST_KEYS, ["request", "entities", "decision", "reason", "num_errors"]);
  if (!t) return undefined;
  const name = t.name === undefined ? `test #${index + 1}` : check.string(t.name, [...path, "name"]);
  const r = check.object(t.request, [...path, "request"], ["principal", "action", "resource", "context"], ["principal", "action", "resource", "context"]);
  const principal = r && readUid(r.principal, [...path, "request", "principal"], check);
  const action = r && readUid(r.action, [...path, "request", "action"], check);
  const resource = r && readUid(r.resource, [...path, "request", "resource"], check);
  const context = r && (isPlainObject(r.context) ? (r.context as Record<string, CedarValue>) : check.fail([...path, "request", "context"], `expected a mapping, got ${describe(r.context)}`));
  const entities = readEntities(t.entities, [...path, "entities"], check, testFile, referenced);
  const decision = check.oneOf(t.decision, [...path, "decision"], ["allow", "deny"] as const);
  const reason = check.stringList(t.reason, [...path, "reason"]);
  const numErrors = check.integer(t.num_errors, [...path, "num_errors"], 0, 1_000_000);
  if (check.issues.length > before || !name || !principal || !action || !resource || !context || !entities || !decision || numErrors === undefined) {
    return undefined;
  }
  return { name, query: { principal, action, resource, context, entities }, decision, reason, numErrors };
}

function readEntities(value: unknown, path: Path, check: Checker, testFile: string, referenced: Set<string>): EntityJson[] | undefined {
  if (typeof value === "string") {
    // Cedar's rule: an entities file is named relative to the test file and must stay inside its folder.
    const dir = dirname(testFile);
    const file = resolve(dir, value);
    const rel = relative(dir, file);
    if (rel.startsWith("..") || isAbsolute(rel) || rel.split(sep).includes("..")) {
      return check.fail(path, `entities file \`${value}\` is outside the test file's folder`);
    }
    referenced.add(file);
    const loaded = readSourceDoc(file, value);
    if (!loaded.ok) return check.fail(path, `entities file \`${value}\`: ${loaded.problems.map((p) => p.message).join("; ")}`);
    value = loaded.doc.value;
  }
  if (!Array.isArray(value)) return check.fail(path, `expected a list of entities or an entities file name, got ${describe(value)}`);
  return value as EntityJson[]; // shape is checked by Cedar against the schema, with its own messages
}

/** `Type::"id"` (also namespaced) or `{ "type", "id" }` / `{ "__entity": {...} }`. */
function readUid(value: unknown, path: Path, check: Checker): { type: string; id: string } | undefined {
  if (isPlainObject(value)) {
    const inner = isPlainObject(value.__entity) ? value.__entity : value;
    if (typeof inner.type === "string" && typeof inner.id === "string") return { type: inner.type, id: inner.id };
  }
  if (typeof value === "string") {
    const uid = parseEntityUid(value);
    if (uid) return uid;
  }
  return check.fail(path, `expected an entity such as \`User::"alice"\`, got ${describe(value)}`);
}

const UID = /^\s*((?:[A-Za-z_][A-Za-z0-9_]*\s*::\s*)*[A-Za-z_][A-Za-z0-9_]*)\s*::\s*"((?:[^"\\]|\\.)*)"\s*$/s;

/** Cedar's `Type::"id"` syntax; escapes as in Cedar strings (`\"`, `\\`, `\n`, `\t`, `\r`, `\0`, `\'`, `\u{...}`). */
export function parseEntityUid(text: string): { type: string; id: string } | undefined {
  const m = UID.exec(text);
  if (!m) return undefined;
  const type = (m[1] as string).replace(/\s+/g, "");
  let bad = false;
  const id = (m[2] as string).replace(/\\(u\{([0-9a-fA-F]{1,6})\}|.)/gs, (_all, esc: string, hex: string | undefined) => {
    if (hex !== undefined) {
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) bad = true;
      return cp > 0x10ffff ? "" : String.fromCodePoint(cp);
    }
    const simple: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", "0": "\0", "'": "'" };
    const out = simple[esc];
    if (out === undefined) bad = true;
    return out ?? "";
  });
  return bad ? undefined : { type, id };
}
