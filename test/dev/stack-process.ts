import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../support/local-config.js";

/**
 * `npm start` as a newcomer runs it: the built dist/dev/start.mjs in its own process, its stdout and stderr
 * lines collected. The stack's own environment variables are cleared so flags (free ports, the test
 * project's config) decide, whatever the developer's shell has set.
 */
export function startStack(args: string[], env: Record<string, string> = {}): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const lines: string[] = [];
  const c = spawn(process.execPath, [join(ROOT, "dist/dev/start.mjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ZTPDP_CONFIG: "", ZTPDP_HTTP_PORT: "", ZTPDP_LAMBDA_PORT: "", ZTPDP_IDP_PORT: "", ZTPDP_ENGINE: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: c.stdout! }).on("line", (l) => lines.push(l));
  createInterface({ input: c.stderr! }).on("line", (l) => lines.push(l));
  return { child: c, lines, exited: new Promise((resolve) => c.once("exit", (code) => resolve(code))) };
}

/** Resolves once the tour is printed; rejects with the output if the stack exits first. */
export async function stackReady(started: ReturnType<typeof startStack>): Promise<void> {
  const ready = (async () => {
    while (!started.lines.some((l) => l.includes("Ctrl-C stops everything"))) await new Promise((r) => setTimeout(r, 50));
  })();
  const exited = started.exited.then((code) => {
    throw new Error(`npm start exited (${code}):\n${started.lines.join("\n")}`);
  });
  await Promise.race([ready, exited]);
}

/** Ctrl-C, as the tour says, and wait for everything to stop. */
export async function stopStack(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}
