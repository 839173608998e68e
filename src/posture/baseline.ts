import { readFileSync } from "node:fs";
import { isMap, isScalar, LineCounter, parseDocument, type Node } from "yaml";
import { compareVersions, parseOsVersion, type OsVersion } from "./os-version.js";
import { safeText } from "./text.js";
import { isOsFamily, OS_FAMILIES, type OsFamily } from "./vocabulary.js";

/**
 * The patch baseline: the minimum OS version per family, edited by policy authors in
 * `policies/patch-baseline.yaml`. Cedar cannot compare versions, so the PDP computes `os.patched`
 * from this file and policies only test the boolean.
 *
 *     version: 1
 *     minimum:
 *       macos: "15.6"
 *       windows: "10.0.26100"
 *
 * Invariant (fail closed): a family that is not listed, the `unknown` family, and a device without a
 * readable version are never patched.
 */
export interface PatchBaseline {
  readonly version: 1;
  /** File the baseline came from, for audit and error messages. */
  readonly source: string;
  /** A Map, not an object: a family named `__proto__` or `constructor` can never hit an inherited key. */
  readonly minimum: ReadonlyMap<OsFamily, OsVersion>;
}

/** Thrown at cold start only: a bad baseline must stop the PDP from serving, naming file, line and key. */
export class PatchBaselineError extends Error {
  override readonly name = "PatchBaselineError";
  readonly fileName: string;
  readonly problems: readonly string[];
  constructor(fileName: string, problems: readonly string[]) {
    super(`invalid patch baseline \`${safeText(fileName, 256)}\`:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.fileName = fileName;
    this.problems = problems;
  }
}

/** A baseline is a few lines; anything bigger is the wrong file. */
const MAX_BASELINE_BYTES = 64 * 1024;

/**
 * Parses and validates a baseline document, reporting every problem at once (an author fixing a file
 * should not have to restart once per typo). Throws `PatchBaselineError`.
 */
export function parseBaseline(text: string, fileName: string): PatchBaseline {
  const lineCounter = new LineCounter();
  // uniqueKeys: a duplicated family must be an error, not "last one wins" silently.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const problems: string[] = [];
  const lineOf = (pos: number | undefined): string =>
    pos === undefined ? "" : `line ${lineCounter.linePos(pos).line}: `;
  const at = (node: Node | null | undefined): string => lineOf(node?.range?.[0]);

  for (const error of doc.errors) problems.push(`${lineOf(error.pos[0])}${safeText(error.message.split("\n")[0], 200)}`);
  if (problems.length > 0) throw new PatchBaselineError(fileName, problems);

  const minimum = new Map<OsFamily, OsVersion>();
  const root = doc.contents;
  if (!isMap(root)) {
    throw new PatchBaselineError(fileName, ["the document must be a mapping with the keys `version` and `minimum`"]);
  }
  let sawVersion = false;
  let sawMinimum = false;
  for (const pair of root.items) {
    const keyNode = pair.key as Node | null;
    const key = isScalar(keyNode) ? keyNode.value : undefined;
    const value = pair.value as Node | null;
    if (key === "version") {
      sawVersion = true;
      // `version: "1"` is rejected too: the format version is a number, like the config file's.
      if (!isScalar(value) || value.value !== 1) {
        problems.push(`${at(value ?? keyNode)}\`version\`: expected 1, got \`${safeText(scalarText(value))}\``);
      }
    } else if (key === "minimum") {
      sawMinimum = true;
      if (!isMap(value)) {
        problems.push(`${at(value ?? keyNode)}\`minimum\`: expected a mapping of os family to version`);
        continue;
      }
      for (const entry of value.items) {
        const familyNode = entry.key as Node | null;
        const family = isScalar(familyNode) ? familyNode.value : undefined;
        const versionNode = entry.value as Node | null;
        const where = `${at(familyNode)}\`minimum.${safeText(family ?? scalarText(familyNode))}\``;
        if (!isOsFamily(family)) {
          problems.push(`${where}: unknown os family (expected one of ${OS_FAMILIES.join(", ")})`);
          continue;
        }
        const parsed = parseVersionNode(versionNode);
        if (!parsed.ok) problems.push(`${where}: ${parsed.message}`);
        else minimum.set(family, parsed.version);
      }
      if (value.items.length === 0) {
        problems.push(`${at(value)}\`minimum\`: lists no family, so no device could ever be patched`);
      }
    } else {
      problems.push(`${at(keyNode)}unknown key \`${safeText(key ?? scalarText(keyNode))}\` (expected \`version\` and \`minimum\`)`);
    }
  }
  if (!sawVersion) problems.push("missing key `version` (expected `version: 1`)");
  if (!sawMinimum) problems.push("missing key `minimum`");
  if (problems.length > 0) throw new PatchBaselineError(fileName, problems);
  return Object.freeze({ version: 1, source: fileName, minimum });
}

function parseVersionNode(node: Node | null): { ok: true; version: OsVersion } | { ok: false; message: string } {
  if (node === null || (isScalar(node) && node.value === null)) {
    return { ok: false, message: "no version: write one, or remove the key (a family not listed is never patched)" };
  }
  if (!isScalar(node)) {
    return { ok: false, message: `expected a quoted version string like "14.6.1", got a ${isMap(node) ? "mapping" : "list or alias"}` };
  }
  if (typeof node.value === "number") {
    // Unquoted 14.10 is the YAML number 14.1: a silently lowered minimum. Insist on quotes.
    return {
      ok: false,
      message: `expected a quoted version string like "14.6.1", got the number \`${safeText(node.source ?? node.value)}\` (quote it: YAML reads 14.10 as 14.1)`,
    };
  }
  if (typeof node.value !== "string") {
    return { ok: false, message: `expected a quoted version string like "14.6.1", got \`${safeText(scalarText(node))}\`` };
  }
  const parsed = parseOsVersion(node.value);
  if (!parsed.ok) return { ok: false, message: `\`${safeText(node.value)}\` is not a version: ${parsed.message}` };
  return parsed;
}

function scalarText(node: Node | null | undefined): unknown {
  if (node == null) return null;
  if (isScalar(node)) return node.source ?? node.value;
  return node.toString();
}

/**
 * Reads and parses the baseline file once, at cold start (synchronously, like the config and policy
 * loaders: nothing is served until it returns). Throws `PatchBaselineError` naming the file.
 */
export function loadBaseline(path: string): PatchBaseline {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PatchBaselineError(path, [`cannot read the file (${safeText(code)})`]);
  }
  if (bytes.byteLength > MAX_BASELINE_BYTES) {
    throw new PatchBaselineError(path, [`the file is larger than ${MAX_BASELINE_BYTES} bytes`]);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new PatchBaselineError(path, ["the file is not valid UTF-8"]);
  }
  return parseBaseline(text, path);
}

/**
 * True when `version` is at or above the baseline minimum for `family`. Fails closed: an unknown or
 * unlisted family, a missing version, or a version string that does not parse is not patched.
 */
export function isPatched(baseline: PatchBaseline, family: string, version: OsVersion | string | null): boolean {
  if (!isOsFamily(family)) return false;
  const minimum = baseline.minimum.get(family);
  if (minimum === undefined || version === null) return false;
  let current: OsVersion;
  if (typeof version === "string") {
    const parsed = parseOsVersion(version);
    if (!parsed.ok) return false;
    current = parsed.version;
  } else {
    current = version;
  }
  return compareVersions(current, minimum) >= 0;
}
