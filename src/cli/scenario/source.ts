import { readFileSync } from "node:fs";
import { isNode, LineCounter, parseDocument } from "yaml";

/** A path into a parsed document: keys and array indexes, as in `cases[3].user.groups[0]`. */
export type Path = ReadonlyArray<string | number>;

export interface Located {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

/** A YAML or JSON document, its value, and the source position of any path in it. */
export interface SourceDoc {
  file: string;
  value: unknown;
  /** Position of the deepest existing node on `path` (an absent key points at its parent). */
  locate(path: Path): { line: number; col: number } | undefined;
}

/** Scenario files are small; a bigger file is a mistake (or a generated suite that should be split). */
const MAX_SCENARIO_BYTES = 8 * 1024 * 1024;

/**
 * Reads YAML or JSON (JSON is parsed by the same YAML 1.2 parser, so both get line numbers). Core schema:
 * `yes` is a string, not a boolean; duplicate keys are errors, not "last one wins".
 */
export function readSourceDoc(file: string, shown: string): { ok: true; doc: SourceDoc } | { ok: false; problems: Located[] } {
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.byteLength > MAX_SCENARIO_BYTES) return fail(shown, `file is larger than ${MAX_SCENARIO_BYTES} bytes`);
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(shown, code ? `cannot read file (${code})` : "file is not valid UTF-8");
  }
  return parseSourceText(text, shown);
}

export function parseSourceText(text: string, shown: string): { ok: true; doc: SourceDoc } | { ok: false; problems: Located[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, schema: "core", version: "1.2" });
  const at = (offset: number | undefined) => (offset === undefined ? {} : lineCounter.linePos(offset));
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file: shown, ...at(e.pos[0]), message: `malformed YAML/JSON: ${firstLine(e.message)}` })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail(shown, `malformed YAML/JSON: ${firstLine(err instanceof Error ? err.message : String(err))}`);
  }
  return {
    ok: true,
    doc: {
      file: shown,
      value,
      locate(path) {
        for (let n = path.length; n >= 0; n--) {
          const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
          if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]);
        }
        return undefined;
      },
    },
  };
}

function fail(file: string, message: string): { ok: false; problems: Located[] } {
  return { ok: false, problems: [{ file, message }] };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

/** `cases[3].user.groups[0]` */
export function showPath(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
