import type { CedarValue } from "../policy/engine.js";
import { ENUMS, describeShape, type Shape } from "./shapes.js";

/**
 * Turns claims into a Cedar context value that has the shape AWS documents, and nothing else. Used in
 * two ways with the same rules:
 * - scenario files (`report` set): every value that does not fit is reported with its path;
 * - verified tokens in the authorizer (`report` unset): a value that does not fit is left out, so a
 *   policy that reads it errors and the request is denied (fail closed), never coerced.
 *
 * Never copied as is: a record key starting with `__` (Cedar's JSON form reads `{"__entity": ...}` as an
 * entity reference and `{"__extn": ...}` as an extension call, so a claim must never carry one), floats
 * (Cedar has no floats), integers outside Cedar's Long range, strings over `maxString`, and anything
 * nested deeper than `MAX_DEPTH`.
 */

export interface ConformOptions {
  maxString: number;
  maxItems: number;
  /** Called for each value that does not fit; `path` is e.g. `assessment.overall`. */
  report?: (path: string, message: string) => void;
  /** The provider type, to check documented enums (`jamf.risk`). */
  enumPrefix?: string;
}

const MAX_DEPTH = 6;
const MAX_KEYS = 200;

export function conform(shape: Shape, value: unknown, opts: ConformOptions, path = ""): CedarValue | undefined {
  const bad = (message: string): undefined => {
    opts.report?.(path || "(value)", message);
    return undefined;
  };
  switch (shape.t) {
    case "string": {
      if (typeof value !== "string") return bad(`expected a string, got ${shown(value)}`);
      if (value.length > opts.maxString) return bad(`longer than ${opts.maxString} characters`);
      const allowed = opts.enumPrefix ? ENUMS[`${opts.enumPrefix}.${path}`] : undefined;
      if (allowed && !allowed.includes(value)) return bad(`expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}, got ${shown(value)}`);
      return value.toWellFormed();
    }
    case "long":
      return isLong(value) ? value : bad(`expected a whole number, got ${shown(value)}`);
    case "bool":
      return typeof value === "boolean" ? value : bad(`expected true or false, got ${shown(value)}`);
    case "set": {
      if (!Array.isArray(value)) return bad(`expected ${describeShape(shape)}, got ${shown(value)}`);
      if (value.length > opts.maxItems) return bad(`more than ${opts.maxItems} entries`);
      const out: CedarValue[] = [];
      let ok = true;
      value.forEach((v, i) => {
        const c = conform(shape.of, v, opts, `${path}[${i}]`);
        if (c === undefined) ok = false;
        else out.push(c);
      });
      // A set with a bad member is left out whole: a partial group list could drop a deny-relevant entry.
      return ok ? out : undefined;
    }
    case "map": {
      if (!isPlain(value)) return bad(`expected ${describeShape(shape)}, got ${shown(value)}`);
      const out: Record<string, CedarValue> = {};
      for (const [k, v] of entries(value, path, bad)) {
        const c = conform(shape.of, v, opts, join(path, k));
        if (c !== undefined) out[k] = c;
      }
      return out;
    }
    case "record": {
      if (!isPlain(value)) return bad(`expected a mapping, got ${shown(value)}`);
      const out: Record<string, CedarValue> = {};
      for (const [k, v] of entries(value, path, bad)) {
        const field = Object.hasOwn(shape.fields, k) ? shape.fields[k] : undefined;
        if (field) {
          const c = conform(field.shape, v, opts, join(path, k));
          if (c !== undefined) out[k] = c;
        } else if (shape.open) {
          const c = anyValue(v, opts, join(path, k), 1);
          if (c !== undefined) out[k] = c;
        } else {
          bad(`unknown key \`${join(path, k)}\` (documented: ${Object.keys(shape.fields).map((f) => `\`${f}\``).join(", ")})`);
        }
      }
      for (const [k, f] of Object.entries(shape.fields)) {
        if (f.always && !Object.hasOwn(out, k) && !Object.hasOwn(value, k)) bad(`missing \`${join(path, k)}\``);
      }
      return out;
    }
  }
}

/** Claims outside the documented fields of an open record (OIDC): plain JSON scalars, lists and mappings. */
function anyValue(value: unknown, opts: ConformOptions, path: string, depth: number): CedarValue | undefined {
  const bad = (message: string): undefined => {
    opts.report?.(path, message);
    return undefined;
  };
  if (typeof value === "string") return value.length <= opts.maxString ? value.toWellFormed() : bad(`longer than ${opts.maxString} characters`);
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return isLong(value) ? value : bad(`not a whole number within Cedar's range (Cedar has no floats): ${shown(value)}`);
  if (depth > MAX_DEPTH) return bad(`nested deeper than ${MAX_DEPTH} levels`);
  if (Array.isArray(value)) {
    if (value.length > opts.maxItems) return bad(`more than ${opts.maxItems} entries`);
    const out: CedarValue[] = [];
    for (const [i, v] of value.entries()) {
      const c = anyValue(v, opts, `${path}[${i}]`, depth + 1);
      if (c === undefined) return undefined;
      out.push(c);
    }
    return out;
  }
  if (isPlain(value)) {
    const out: Record<string, CedarValue> = {};
    for (const [k, v] of entries(value, path, bad)) {
      const c = anyValue(v, opts, join(path, k), depth + 1);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return bad(`not a JSON value Cedar can hold: ${shown(value)}`);
}

function entries(value: Record<string, unknown>, path: string, bad: (m: string) => undefined): Array<[string, unknown]> {
  const all = Object.entries(value);
  if (all.length > MAX_KEYS) {
    bad(`more than ${MAX_KEYS} keys`);
    return [];
  }
  return all.filter(([k]) => {
    if (!k.startsWith("__")) return true;
    bad(`key \`${join(path, k)}\` is refused: keys starting with \`__\` are Cedar's JSON escapes (\`__entity\`, \`__extn\`)`);
    return false;
  });
}

function isLong(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

function isPlain(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
