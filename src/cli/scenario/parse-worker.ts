import { statSync } from "node:fs";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { PARSE_TASK, type ParseTask } from "./parse-task.js";
import { readSourceDoc, type Located, type Path, type SourceDoc } from "./source.js";

/**
 * Scenario files parsed on a second thread, while the main thread loads and validates the policies.
 * YAML parsing is the largest fixed cost of a big suite (the `yaml` parser runs cold in a CLI: ~0.5 s
 * for 1,000 cases) and it does not depend on the policies, so the two overlap on a multi-core machine.
 *
 * The worker sends plain values plus the positions every report needs (the file and each case); any
 * other position (a problem deep inside a case) re-parses that one file on the main thread, lazily.
 * Small suites are parsed in-thread: starting a worker costs more than it saves below ~100 KB.
 */
const WORKER_MIN_BYTES = 96 * 1024;

export type ReadResult = { ok: true; doc: SourceDoc } | { ok: false; problems: Located[] };

type Wire = { ok: true; value: unknown; positions: Record<string, [number, number]> } | { ok: false; problems: Located[] };

/** Reads every file, on a worker when `workerEntry` (the CLI bundle itself) is given and the suite is big. */
export async function readSourceDocs(
  files: readonly string[],
  shown: (file: string) => string,
  workerEntry: URL | undefined,
  minBytes = WORKER_MIN_BYTES,
): Promise<ReadResult[]> {
  const inThread = () => files.map((f) => readSourceDoc(f, shown(f)));
  if (workerEntry === undefined || totalBytes(files) < minBytes) return inThread();
  const task: ParseTask = { task: PARSE_TASK, files: files.map((file) => ({ file, shown: shown(file) })) };
  try {
    const wire = await new Promise<Wire[]>((resolve, reject) => {
      const worker = new Worker(workerEntry, { workerData: task });
      worker.once("message", (message: Wire[]) => resolve(message));
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`scenario parser exited with code ${code}`)));
    });
    return wire.map((w, i) => (w.ok ? { ok: true, doc: lazyDoc(files[i] as string, task.files[i]!.shown, w) } : w));
  } catch {
    return inThread(); // a worker that cannot start (unusual platform, missing bundle) only costs speed
  }
}

export function runParseTask(): void {
  const { files } = workerData as ParseTask;
  const out: Wire[] = files.map(({ file, shown }) => {
    const read = readSourceDoc(file, shown);
    if (!read.ok) return read;
    return { ok: true, value: read.doc.value, positions: reportPositions(read.doc) };
  });
  parentPort?.postMessage(out);
}

/** Positions of the document and of each case (`cases[i]`, or `[i]` in a Cedar test list). */
function reportPositions(doc: SourceDoc): Record<string, [number, number]> {
  const positions: Record<string, [number, number]> = {};
  const add = (path: Path) => {
    const at = doc.locate(path);
    if (at) positions[JSON.stringify(path)] = [at.line, at.col];
  };
  add([]);
  const v = doc.value as { cases?: unknown } | unknown[] | null;
  if (Array.isArray(v)) v.forEach((_, i) => add([i]));
  else if (v && typeof v === "object" && Array.isArray(v.cases)) v.cases.forEach((_, i) => add(["cases", i]));
  return positions;
}

function lazyDoc(file: string, shown: string, wire: Extract<Wire, { ok: true }>): SourceDoc {
  let full: SourceDoc | undefined;
  return {
    file: shown,
    value: wire.value,
    locate(path) {
      const known = wire.positions[JSON.stringify(path)];
      if (known) return { line: known[0], col: known[1] };
      if (!full) {
        const read = readSourceDoc(file, shown);
        full = read.ok ? read.doc : { file: shown, value: wire.value, locate: () => undefined };
      }
      return full.locate(path);
    },
  };
}

function totalBytes(files: readonly string[]): number {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      // unreadable: reported by the parse itself
    }
  }
  return total;
}
