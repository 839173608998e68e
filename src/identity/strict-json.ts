/**
 * Strict JSON for security-relevant documents (JWT header and payload, JWKS).
 *
 * `JSON.parse` silently keeps the last of two duplicate member names, so two parsers (ours, an IdP's,
 * a downstream service's) can read different claims from the same signed bytes. RFC 7519 §4 (claims) and
 * RFC 7515 §4 (header) let a parser either reject duplicate names or keep the last one; we reject.
 * Member names that reach JavaScript prototype machinery (`__proto__`, `constructor`, `prototype`) are
 * rejected at any depth as well: no legitimate token needs them.
 */

export type StrictJsonResult = { ok: true; value: Record<string, unknown> } | { ok: false; reason: string };

const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** Nesting beyond this is not a credential; it only costs stack. */
export const MAX_JSON_DEPTH = 32;

type Frame = { kind: "object"; names: Set<string>; expectName: boolean } | { kind: "array" };

/**
 * Parse `text` as a JSON object (not an array, not a scalar) with unique, non-prototype member names.
 */
export function parseStrictJsonObject(text: string): StrictJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not valid JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "not a JSON object" };
  }
  // The scan below relies on `text` being valid JSON, which JSON.parse has just established.
  const problem = findMemberNameProblem(text);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * Walk syntactically valid JSON and report the first duplicate or forbidden member name, or excessive
 * depth. Names are compared after escape decoding, so `"a"` and `"\u0061"` are duplicates.
 *
 * Invariant: only called on text JSON.parse accepted, so tokens are well formed and strings terminate.
 */
export function findMemberNameProblem(text: string): string | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === "object" && top.expectName) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (FORBIDDEN_NAMES.has(name)) return `forbidden member name \`${name}\``;
        if (top.names.has(name)) return `duplicate member name \`${name}\``;
        top.names.add(name);
        top.expectName = false;
      }
      i = end;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_JSON_DEPTH) return "nested too deeply";
      stack.push(c === 0x7b ? { kind: "object", names: new Set(), expectName: true } : { kind: "array" });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.kind === "object") top.expectName = true;
    }
    // Anything else (whitespace, `:`, numbers, literals) carries no member name.
  }
  return undefined;
}

/** Index of the closing quote of the string starting at `start`, skipping backslash escapes. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return text.length - 1; // unreachable for valid JSON
}
