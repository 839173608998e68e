import { showPath, type Path } from "./source.js";

export interface Issue {
  path: Path;
  message: string;
}

/**
 * Reads untyped YAML/JSON values and collects every problem with its path, so one run reports all the
 * mistakes in a file. Objects are closed: an unknown key is an error, because a misspelt `gruops` that
 * was silently ignored would make a case test something other than what it says.
 */
export class Checker {
  readonly issues: Issue[] = [];

  fail(path: Path, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  object(value: unknown, path: Path, allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> | undefined {
    if (!isPlainObject(value)) return this.fail(path, `expected a mapping with ${keyList(allowed)}, got ${describe(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const hint = closest(key, allowed);
        this.fail([...path, key], `unknown key \`${key}\`${hint ? ` (did you mean \`${hint}\`?)` : ""}; expected ${keyList(allowed)}`);
      }
    }
    for (const key of required) if (value[key] === undefined) this.fail(path, `missing \`${key}\` in \`${showPath(path) || "(document)"}\``);
    return value;
  }

  string(value: unknown, path: Path): string | undefined {
    if (typeof value !== "string" || value.length === 0) return this.fail(path, `expected a non-empty string, got ${describe(value)}`);
    return value;
  }

  optionalString(value: unknown, path: Path): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  boolean(value: unknown, path: Path, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") {
      this.fail(path, `expected true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  integer(value: unknown, path: Path, min: number, max: number): number | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(path, `expected a whole number from ${min} to ${max}, got ${describe(value)}`);
    }
    return value;
  }

  stringList(value: unknown, path: Path): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list of strings, got ${describe(value)}`);
      return [];
    }
    return value.flatMap((v, i) => this.string(v, [...path, i]) ?? []);
  }

  /** A list of policy ids that must all exist in the policy set (a misspelt id would make a case vacuous). */
  policyIdList(value: unknown, path: Path, policyIds: ReadonlySet<string>): string[] {
    const ids = this.stringList(value, path);
    // Indexes of the raw list: stringList drops entries that are not strings, so ids' own indexes would shift.
    if (Array.isArray(value)) {
      value.forEach((id, i) => {
        if (typeof id === "string" && id.length > 0 && !policyIds.has(id)) {
          const hint = closest(id, policyIds);
          this.fail([...path, i], `unknown policy id \`${id}\`${hint ? ` (did you mean \`${hint}\`?)` : ""}`);
        }
      });
    }
    return ids;
  }

  oneOf<T extends string>(value: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const hint = typeof value === "string" ? closest(value, allowed) : undefined;
    return this.fail(path, `expected one of ${allowed.map((a) => `\`${a}\``).join(", ")}, got ${describe(value)}${hint ? ` (did you mean \`${hint}\`?)` : ""}`);
  }

  /** A mapping of claim name to any JSON value. */
  claims(value: unknown, path: Path): Record<string, unknown> {
    if (value === undefined) return {};
    if (!isPlainObject(value)) {
      this.fail(path, `expected a mapping of claim names to values, got ${describe(value)}`);
      return {};
    }
    return value;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a value is, for messages: type and a short rendering, never a multi-line dump. */
export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return `${typeof value === "string" ? "the string" : `the ${typeof value}`} ${text.length > 60 ? `${text.slice(0, 60)}…` : text}`;
}

function keyList(keys: readonly string[]): string {
  return keys.map((k) => `\`${k}\``).join(", ");
}

/** The allowed value nearest to a typo (edit distance at most 2), for "did you mean" hints. */
export function closest(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === value ? undefined : best;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] ?? 3;
}
