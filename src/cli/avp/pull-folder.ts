import { policyToJson, policyToText, schemaToJson, schemaToText, type SchemaJson } from "@cedar-policy/cedar-wasm/nodejs";
import { canonicalJson } from "../../policy/revision.js";
import { unqualifyPolicyText, unqualifySchema } from "../../policy/verified-permissions/namespace.js";
import { STABLE_ID, stableIdFromStatement, stableIdOf } from "../../policy/verified-permissions/policy-ids.js";
import { linkedPolicyText } from "../../policy/verified-permissions/store-policy-set.js";
import type { StoreSnapshot } from "../../policy/verified-permissions/store-reader.js";

/**
 * A store as a policy folder (`ztpdp pull`): `schema.cedarschema` (Cedar's schema syntax, namespace removed)
 * and one `<id>.cedar` per policy, each statement exactly as stored minus the namespace, so pushing the
 * folder back changes nothing. A policy without `@id` gets one: its stable id (the description written
 * by `ztpdp push`), else its Verified Permissions id. A template-linked policy is written as the static
 * policy it evaluates as (the folder format has no templates), named by its Verified Permissions id.
 */

export interface PulledFolder {
  schemaText: string;
  files: Array<{ name: string; id: string; text: string }>;
  warnings: string[];
}

export function pullFolder(snapshot: StoreSnapshot, ns: string): PulledFolder {
  if (!snapshot.schema) throw new Error("the store has no schema (policies cannot be tested without one)");
  const unqualified = unqualifySchema(JSON.parse(snapshot.schema.text) as Record<string, Record<string, unknown>>, ns);
  const schema = schemaToText(unqualified as unknown as SchemaJson<string>);
  if (schema.type === "failure") throw new Error(`the store's schema cannot be written in Cedar syntax: ${schema.errors.map((e) => e.message).join("; ")}`);
  const schemaText = exactSchemaText(schema.text, unqualified);

  const warnings: string[] = [];
  const files: PulledFolder["files"] = [];
  const names = new Set<string>();
  for (const p of [...snapshot.policies.values()].sort((a, b) => (a.policyId < b.policyId ? -1 : 1))) {
    let text: string;
    let id: string;
    if (p.policyType === "STATIC") {
      text = unqualifyPolicyText(String(p.statement), ns);
      id = stableIdOf(p.policyId, p.description, p.statement);
      const annotated = stableIdFromStatement(text);
      if (annotated === undefined) text = `@id(${JSON.stringify(id)})\n${text}`;
      else if (annotated !== id) {
        warnings.push(`${p.policyId}: the description names \`${id}\` but the statement says @id("${annotated}"); the folder keeps \`${annotated}\``);
        id = annotated;
      }
    } else {
      id = p.policyId;
      text = withId(linkedPolicyText(p, snapshot, ns), id, `// template-linked policy ${p.policyId} (template ${p.templateId})`);
    }
    files.push({ name: fileName(id, names), id, text: `${text}\n` });
  }
  return { schemaText, files, warnings };
}

/**
 * Cedar writes action groups as `in [Action::"read"]`, which reads back with an explicit `"type": "Action"`
 * where the pushed schema (`in ["read"]`) had none: the same schema, another JSON. The short form is used
 * when it reads back to exactly the stored JSON, so a pulled folder has the pushed folder's revision.
 */
function exactSchemaText(text: string, json: unknown): string {
  const short = text.replace(/\bAction::("(?:[^"\\]|\\.)*")/g, "$1");
  const back = schemaToJson(short);
  return back.type === "success" && canonicalJson(back.json) === canonicalJson(json) ? short : text;
}

/** A policy text whose `@id` is `id`: prepended, or (when the text has another `@id`) rewritten through Cedar's JSON form. */
function withId(text: string, id: string, comment: string): string {
  const json = policyToJson(text);
  if (json.type === "failure") throw new Error(`a template-linked policy does not parse: ${json.errors.map((e) => e.message).join("; ")}`);
  if (json.json.annotations?.["id"] === undefined) return `${comment}\n@id(${JSON.stringify(id)})\n${text}`;
  const rewritten = policyToText({ ...json.json, annotations: { ...json.json.annotations, id } });
  if (rewritten.type === "failure") throw new Error(`a template-linked policy cannot be written: ${rewritten.errors.map((e) => e.message).join("; ")}`);
  return `${comment}\n${rewritten.text}`;
}

/** `<id>.cedar` with characters the loader refuses in file names replaced, unique within the folder. */
function fileName(id: string, taken: Set<string>): string {
  const base = STABLE_ID.test(id) ? id.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[^A-Za-z0-9]/, "p") : "policy";
  let name = `${base}.cedar`;
  for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${base}-${n}.cedar`;
  taken.add(name.toLowerCase());
  return name;
}
