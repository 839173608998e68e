import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { vi } from "vitest";
import { checkAuditLines } from "./audit-contract.js";
import { ROOT } from "./local-config.js";

/** The built Lambda bundles (dist/<fn>/index.mjs), loaded as Lambda loads them. */

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A Lambda context like the runtime's; `remainingMs` is what `getRemainingTimeInMillis` answers. */
export function lambdaContext(remainingMs = 5000, functionName = "zt-pdp-dev-restAuthorizer"): Context {
  return {
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: "8f507cfc-example",
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/23/[$LATEST]abc",
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}

let instance = 0;

/**
 * A fresh instance of a bundle (its own cold start), with `env` set while it starts: the config and the
 * Lambda environment are read then. `undefined` unsets a variable. Each call is a new module instance.
 */
export async function loadBundle(fn: string, env: Record<string, string | undefined> = {}): Promise<Handler> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  setEnv(env);
  try {
    const url = `${pathToFileURL(join(ROOT, `dist/${fn}/index.mjs`)).href}?instance=${++instance}`;
    return ((await import(url)) as { handler: Handler }).handler;
  } finally {
    setEnv(saved);
  }
}

function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

export interface StdoutCapture {
  /** Everything written since the last `clear()`. */
  text(): string;
  /** The JSON lines written since the last `clear()`. */
  lines(): Record<string, unknown>[];
  /** The audit records among them. */
  audits(): Record<string, unknown>[];
  /** The EMF metric lines among them. */
  metrics(): Record<string, unknown>[];
  clear(): void;
}

/**
 * Captures process.stdout and process.stderr (the logger writes errors to stderr; the metrics and the audit
 * records go to stdout). Every audit line written is checked against the audit JSON Schema as it is written.
 * Restore with `vi.restoreAllMocks()`.
 */
export function captureOutput(): StdoutCapture {
  const chunks: string[] = [];
  const keep = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    checkAuditLines(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(keep);
  vi.spyOn(process.stderr, "write").mockImplementation(keep);
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    text: () => chunks.join(""),
    lines,
    audits: () => lines().filter((l) => l.message === "audit").map((l) => l.audit as Record<string, unknown>),
    metrics: () => lines().filter((l) => "_aws" in l),
    clear: () => void chunks.splice(0),
  };
}
