import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, parseStrictJsonObject } from "../../src/identity/strict-json.js";

const reason = (text: string): string | undefined => {
  const r = parseStrictJsonObject(text);
  return r.ok ? undefined : r.reason;
};

describe("parseStrictJsonObject", () => {
  it("accepts ordinary objects, including repeated names in different objects", () => {
    const r = parseStrictJsonObject('{"a":1,"b":[{"x":1},{"x":2}],"c":{"a":{"a":null}},"d":"x"}');
    expect(r).toEqual({ ok: true, value: { a: 1, b: [{ x: 1 }, { x: 2 }], c: { a: { a: null } }, d: "x" } });
  });

  it.each([
    ['{"sub":"alice","sub":"admin"}', "duplicate member name `sub`"],
    ['{"a":{"b":1,"b":2}}', "duplicate member name `b`"],
    ['{"a":[1,{"k":1,"k":1}]}', "duplicate member name `k`"],
    ['{"a":1,"\\u0061":2}', "duplicate member name `a`"],
    ['{"groups":["x"], "x":1 , "groups" : []}', "duplicate member name `groups`"],
  ])("rejects duplicate names: %s", (text, expected) => {
    expect(reason(text)).toBe(expected);
  });

  it.each(["__proto__", "constructor", "prototype"])("rejects the member name %s at any depth", (name) => {
    expect(reason(`{"${name}":{}}`)).toBe(`forbidden member name \`${name}\``);
    expect(reason(`{"a":[{"${name}":1}]}`)).toBe(`forbidden member name \`${name}\``);
    expect(reason(`{"a":1,"\\u005f_proto__x":1}`)).toBeUndefined(); // only exact names
  });

  it("rejects an escaped __proto__", () => {
    expect(reason('{"\\u005f\\u005fproto\\u005f\\u005f":{"admin":true}}')).toBe("forbidden member name `__proto__`");
  });

  it("is not fooled by structural characters or escaped quotes inside strings", () => {
    expect(reason('{"a":"},{\\"a\\":1,","b":"[\\"a\\"]"}')).toBeUndefined();
    expect(reason('{"a":"x\\\\","a":1}')).toBe("duplicate member name `a`");
    // a string value equal to a name is not a name
    expect(reason('{"a":"a","b":["a","a"]}')).toBeUndefined();
  });

  it("only accepts objects", () => {
    for (const text of ["[]", "null", "1", '"x"', "true"]) expect(reason(text)).toBe("not a JSON object");
    for (const text of ["", "{", "{'a':1}", '{"a":1,}', '{"a":1}x', "\ufeff{}"]) expect(reason(text)).toBe("not valid JSON");
  });

  it("caps nesting depth", () => {
    const ok = `${"[".repeat(MAX_JSON_DEPTH - 1)}${"]".repeat(MAX_JSON_DEPTH - 1)}`;
    expect(reason(`{"a":${ok}}`)).toBeUndefined();
    const deep = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(reason(`{"a":${deep}}`)).toBe("nested too deeply");
  });

  it("agrees with JSON.parse on random duplicate-free documents, and catches an injected duplicate", () => {
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ["a", "b", "c", 'q"uote', "back\\slash", "{", "}", ",", ":", "é", "😀", "a b"];
    const value = (depth: number): unknown => {
      const k = rnd(depth > 3 ? 4 : 6);
      if (k === 0) return rnd(1000) - 500;
      if (k === 1) return names[rnd(names.length)];
      if (k === 2) return rnd(2) === 0;
      if (k === 3) return null;
      if (k === 4) return Array.from({ length: rnd(4) }, () => value(depth + 1));
      return object(depth + 1);
    };
    const object = (depth: number): Record<string, unknown> => {
      const o: Record<string, unknown> = {};
      for (let i = rnd(5); i > 0; i--) o[names[rnd(names.length)]!] = value(depth);
      return o;
    };
    for (let i = 0; i < 300; i++) {
      const doc = object(0);
      const text = JSON.stringify(doc);
      expect(parseStrictJsonObject(text)).toEqual({ ok: true, value: doc });
      const keys = Object.keys(doc);
      if (keys.length > 0) {
        const dupe = `${text.slice(0, -1)},${JSON.stringify(keys[0])}:0}`;
        expect(reason(dupe)).toBe(`duplicate member name \`${keys[0]}\``);
      }
    }
  });
});
