/**
 * Locating things in policy source text.
 *
 * Cedar reports `sourceLocations` as UTF-8 byte offsets into the exact string it was given (measured on
 * cedar-wasm 4.13: a `é` before an error moves the offset by 2, not 1). JavaScript strings index UTF-16
 * code units, so every offset goes through `byteOffsetToIndex` before it becomes a line and column.
 */

/** One policy's text as it appears in its file: from its first annotation (or effect) to its `;`. */
export interface PolicyChunk {
  /** UTF-16 index of the first character in the file text. */
  start: number;
  /** UTF-16 index one past the closing `;`. */
  end: number;
  text: string;
}

export type SplitResult = { ok: true; chunks: PolicyChunk[] } | { ok: false; index: number; message: string };

/**
 * Split a policy file into per-policy source slices, the same slices `policySetTextToParts` returns but
 * with their positions, which Cedar does not give (it returns the texts sorted by its internal ids
 * `policy0, policy1, policy10, policy2, ...`, so file order is lost).
 *
 * Cedar's grammar has `;` only as a policy terminator: inside an expression it can appear only in a
 * string literal or a comment. Cedar has `//` line comments only (no block comments) and `"` strings
 * with backslash escapes. The caller cross-checks the slices against Cedar's own split, so a mismatch
 * here refuses the file rather than misattributing a policy.
 */
export function splitPolicyText(text: string): SplitResult {
  const chunks: PolicyChunk[] = [];
  let start = -1;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? text.length : nl + 1;
      continue;
    }
    if (ch === '"') {
      if (start === -1) start = i;
      const open = i;
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      if (i >= text.length) return { ok: false, index: open, message: "unterminated string literal" };
      i++;
      continue;
    }
    if (ch === ";") {
      if (start === -1) return { ok: false, index: i, message: "`;` without a policy" };
      chunks.push({ start, end: i + 1, text: text.slice(start, i + 1) });
      start = -1;
      i++;
      continue;
    }
    if (start === -1 && ch !== undefined && !/\s/u.test(ch)) start = i;
    i++;
  }
  if (start !== -1) return { ok: false, index: start, message: "policy without a closing `;`" };
  return { ok: true, chunks };
}

/** Convert a UTF-8 byte offset into `text` (as Cedar reports it) into a UTF-16 index. */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length && bytes < byteOffset) {
    const cp = text.codePointAt(i) ?? 0;
    // A lone surrogate crosses the wasm boundary as U+FFFD: 3 bytes, like any other BMP code point.
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** 1-based line and column (UTF-16 code units) of a UTF-16 index. */
export function lineColAt(text: string, index: number): { line: number; col: number } {
  const clamped = Math.max(0, Math.min(index, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < clamped; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, col: clamped - lineStart + 1 };
}
