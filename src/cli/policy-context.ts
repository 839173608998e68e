import { policyToJson, schemaToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { readPolicyDir, type LoadedPolicySet } from "../policy/loader.js";
import { formatProblem } from "../policy/problems.js";
import { InputError } from "./errors.js";
import type { CliIo } from "./io.js";
import { entitiesNamedBy, showEntity } from "./lint/policy-ast.js";
import { shownPath } from "./project.js";

/** The policy set `test` and `explain` evaluate; one that does not validate stops them with its problems. */
export function requirePolicySet(io: CliIo, dir: string): LoadedPolicySet {
  const result = readPolicyDir(dir);
  if (!result.ok) {
    throw new InputError(
      `the policies in \`${shownPath(io, dir)}\` do not validate (see \`ztpdp validate\`)`,
      result.problems.map((p) => formatProblem({ ...p, file: shownPath(io, p.file) })),
    );
  }
  return result.policySet;
}

/** `Type::"id"` of every entity a policy names, plus the members of enumerated entity types in the schema. */
export function namedEntities(set: LoadedPolicySet): Set<string> {
  const out = new Set<string>();
  for (const p of set.policies) {
    const json = policyToJson(p.text);
    if (json.type === "success") for (const e of entitiesNamedBy(json.json)) out.add(showEntity(e));
  }
  const schema = schemaToJson(set.schemaText);
  if (schema.type === "success") {
    for (const [ns, def] of Object.entries(schema.json)) {
      for (const [name, type] of Object.entries(def.entityTypes)) {
        const members = (type as { enum?: string[] }).enum;
        for (const id of members ?? []) out.add(showEntity({ type: ns ? `${ns}::${name}` : name, id }));
      }
    }
  }
  return out;
}
