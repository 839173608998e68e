/**
 * Every string that reaches an audit record passes through here: a log line is read by people and by
 * parsers, so control characters (CR/LF forge lines), bidi overrides (reorder what a reader sees) and
 * line/paragraph separators are replaced by visible `\u{..}` escapes, and length is capped.
 */

// C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, LRM/RLM/ALM, U+2028/2029, BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;
// A lone surrogate cannot be encoded as UTF-8 and breaks some log pipelines.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export const DEFAULT_MAX_STRING = 256;

// Non-global twin of the two patterns (any surrogate counts): one scan decides whether work is needed,
// and almost every audit string (ids, hashes, route templates) needs none. Runs on every decision.
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff\ud800-\udfff]/;

export function safeString(value: string, max = DEFAULT_MAX_STRING): string {
  if (value.length <= max && !NEEDS_ESCAPE.test(value)) return value;
  const capped = value.length > max ? value.slice(0, max) : value;
  const escaped = capped
    .replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16).padStart(4, "0")}}`)
    .replace(LONE_SURROGATE, "\\u{fffd}");
  return value.length > max ? `${escaped}…[+${value.length - max}]` : escaped;
}

const MAX_ARRAY = 50;
const MAX_DEPTH = 6;

/** Deep copy of a JSON-like value with every string made safe, arrays capped and depth bounded. */
export function sanitize(value: unknown, max = DEFAULT_MAX_STRING, depth = 0): unknown {
  if (typeof value === "string") return safeString(value, max);
  if (value === null || typeof value === "number" || typeof value === "boolean") return value;
  if (depth >= MAX_DEPTH) return "[depth capped]";
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((v) => sanitize(v, max, depth + 1));
    if (value.length > MAX_ARRAY) items.push(`[+${value.length - MAX_ARRAY} more]`);
    return items;
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (v === undefined) continue;
      out[safeString(k, 64)] = sanitize(v, max, depth + 1);
    }
    return out;
  }
  return undefined;
}
