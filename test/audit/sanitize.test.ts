import { describe, expect, it } from "vitest";
import { safeString, sanitize } from "../../src/audit/sanitize.js";

describe("safeString", () => {
  it("escapes CR/LF so a value cannot forge a log line", () => {
    expect(safeString('kid"\r\n{"level":"INFO"}')).toBe('kid"\\u{000d}\\u{000a}{"level":"INFO"}');
  });

  it("escapes bidi overrides, isolates and line separators", () => {
    expect(safeString("a\u202Eb\u2066c\u2028d")).toBe("a\\u{202e}b\\u{2066}c\\u{2028}d");
  });

  it("escapes NUL, DEL and C1 controls", () => {
    expect(safeString("\u0000\u007f\u0085")).toBe("\\u{0000}\\u{007f}\\u{0085}");
  });

  it("replaces lone surrogates but keeps valid pairs", () => {
    expect(safeString("x\ud800y")).toBe("x\\u{fffd}y");
    expect(safeString("😀")).toBe("😀");
  });

  it("caps length and says how much was cut", () => {
    expect(safeString("a".repeat(300), 10)).toBe(`${"a".repeat(10)}…[+290]`);
  });
});

describe("sanitize", () => {
  it("walks records and arrays, escaping keys and values", () => {
    const out = sanitize({ "k\n": ["v\r", 1, true, null], nested: { s: "\u202E" } });
    expect(out).toEqual({ "k\\u{000a}": ["v\\u{000d}", 1, true, null], nested: { s: "\\u{202e}" } });
  });

  it("caps arrays and depth", () => {
    const out = sanitize({ a: Array.from({ length: 60 }, (_, i) => i) }) as { a: unknown[] };
    expect(out.a).toHaveLength(51);
    expect(out.a.at(-1)).toBe("[+10 more]");
    let deep: unknown = "x";
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(JSON.stringify(sanitize(deep))).toContain("[depth capped]");
  });

  it("drops undefined and non-JSON values", () => {
    expect(sanitize({ a: undefined, f: () => 1, b: 1 })).toEqual({ b: 1 });
  });
});
