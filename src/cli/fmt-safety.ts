import { policySetTextToParts, policyToJson, templateToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { canonicalJson } from "../policy/revision.js";

/**
 * Why `fmt` can be trusted to rewrite files: before writing, it checks that the formatted text means
 * exactly what the original meant (same policies in Cedar's JSON form, annotations included) and kept
 * every comment in order. A formatter bug then refuses the file instead of changing a policy.
 */
export function formattingProblem(original: string, formatted: string): string | undefined {
  const before = meaning(original);
  const after = meaning(formatted);
  if (before === undefined || after === undefined || before !== after) {
    return "the formatted text would not mean the same policies";
  }
  const a = comments(original);
  const b = comments(formatted);
  if (a.length !== b.length || a.some((c, i) => c !== b[i])) return "the formatter would drop or reorder a comment";
  return undefined;
}

/** The policy set as sorted canonical JSON, or undefined if it does not parse. */
function meaning(text: string): string | undefined {
  const parts = policySetTextToParts(text);
  if (parts.type === "failure") return undefined;
  const jsons: string[] = [];
  for (const p of parts.policies) {
    const j = policyToJson(p);
    if (j.type === "failure") return undefined;
    jsons.push(canonicalJson(j.json));
  }
  for (const t of parts.policy_templates) {
    const j = templateToJson(t);
    if (j.type === "failure") return undefined;
    jsons.push(`template:${canonicalJson(j.json)}`);
  }
  return JSON.stringify(jsons.sort());
}

/** `//` comment texts (trimmed), skipping string literals; Cedar has no block comments. */
export function comments(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      const end = nl === -1 ? text.length : nl;
      out.push(text.slice(i + 2, end).trim());
      i = end;
    } else if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
    } else {
      i++;
    }
  }
  return out;
}
