import { describe, expect, it } from "vitest";
import { byteOffsetToIndex, lineColAt, splitPolicyText } from "../../src/policy/source-text.js";

describe("splitPolicyText", () => {
  it("returns each policy's exact slice and position, skipping comments between policies", () => {
    const text = '// head; "x\n  @id("a") permit(principal, action, resource);\n\nforbid(principal, action, resource) // c;\n  when { "a\\";b" == "//" };\n';
    const result = splitPolicyText(text);
    expect(result.ok && result.chunks.map((c) => [c.start, c.text])).toEqual([
      [text.indexOf("@id"), '@id("a") permit(principal, action, resource);'],
      [text.indexOf("forbid"), 'forbid(principal, action, resource) // c;\n  when { "a\\";b" == "//" };'],
    ]);
  });

  it.each([
    ['permit(principal, action, resource) when { "open };', "unterminated string literal", 43],
    ["permit(principal, action, resource)", "policy without a closing `;`", 0],
    ["  ;", "`;` without a policy", 2],
  ])("refuses %j", (text, message, index) => {
    expect(splitPolicyText(text)).toEqual({ ok: false, message, index });
  });

  it("finds no policies in comments and whitespace", () => {
    expect(splitPolicyText("// permit(principal, action, resource);\n \t\n")).toEqual({ ok: true, chunks: [] });
  });
});

describe("byteOffsetToIndex", () => {
  it("maps UTF-8 byte offsets (as Cedar reports them) to UTF-16 indices", () => {
    const text = "aé😀b\u{FFFD}c";
    // a=1 byte, é=2, 😀=4 (2 UTF-16 units), b=1, U+FFFD=3
    expect([0, 1, 3, 7, 8, 11, 12, 99].map((b) => byteOffsetToIndex(text, b))).toEqual([0, 1, 2, 4, 5, 6, 7, 7]);
  });

  it("counts a lone surrogate as 3 bytes, as it crosses the wasm boundary as U+FFFD", () => {
    expect(byteOffsetToIndex("\ud800x", 3)).toBe(1);
  });
});

describe("lineColAt", () => {
  it("gives 1-based lines and columns", () => {
    const text = "ab\ncd\n\nef";
    expect([0, 1, 2, 3, 5, 6, 7, 9, 50].map((i) => lineColAt(text, i))).toEqual([
      { line: 1, col: 1 },
      { line: 1, col: 2 },
      { line: 1, col: 3 },
      { line: 2, col: 1 },
      { line: 2, col: 3 },
      { line: 3, col: 1 },
      { line: 4, col: 1 },
      { line: 4, col: 3 },
      { line: 4, col: 3 },
    ]);
  });
});
