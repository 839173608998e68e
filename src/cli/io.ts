import { readFileSync } from "node:fs";

/**
 * Everything the CLI touches outside its arguments, passed in so tests run commands in-process with a
 * fake terminal and a chosen working directory (the file system itself is real: tests use temp dirs).
 */
export interface CliIo {
  /** Receives whole chunks of text; the CLI adds the newlines. */
  stdout(text: string): void;
  stderr(text: string): void;
  /** Absolute directory relative paths on the command line resolve against. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** `explain --request -`; absent means stdin is not available. */
  readStdin?: () => string;
  /** The CLI's own entry module, to start helper threads from (absent in-process: work stays on this thread). */
  workerEntry?: URL;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
    env: process.env,
    readStdin: () => readFileSync(0, "utf8"),
  };
}

/** A line-oriented writer over one stream. */
export interface Printer {
  line(text?: string): void;
}

export function printer(write: (text: string) => void): Printer {
  return { line: (text = "") => write(`${text}\n`) };
}
