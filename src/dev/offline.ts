import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import type { AuditRecord } from "../audit/record.js";

/**
 * Runs serverless-offline (real API Gateway emulation of serverless.yml) as a child process on loopback,
 * and picks the audit records out of the Lambda output it relays. Used by `npm start` and by the
 * end-to-end tests, so both exercise the same wiring.
 */

export interface OfflineOptions {
  /** The project root (where serverless.yml and dist/ are). */
  root: string;
  httpPort: number;
  lambdaPort: number;
  /** Extra environment for the functions, e.g. ZTPDP_CONFIG. */
  env?: Record<string, string>;
  /** Serverless parameters (`--param k=v`), e.g. `emulateNetwork: "true"` (see deploy/serverless-ztpdp.mjs). */
  params?: Record<string, string>;
  onAudit?: (record: AuditRecord) => void;
  /** Every other output line (offline's own messages, function logs). */
  onLine?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface OfflineStack {
  /** REST API (v1) base URL: serverless-offline serves it under the stage prefix. */
  restUrl: string;
  /** HTTP API (v2) base URL. */
  httpUrl: string;
  /** Lambda Invoke API endpoint (what the AWS SDK's Lambda client would call). */
  lambdaUrl: string;
  stop(): Promise<void>;
}

export async function startOffline(o: OfflineOptions): Promise<OfflineStack> {
  const require = createRequire(`${o.root}/package.json`);
  const cli = require.resolve("serverless/bin/serverless.js");
  const params = Object.entries(o.params ?? {}).flatMap(([k, v]) => ["--param", `${k}=${v}`]);
  const child = spawn(process.execPath, [cli, "offline", "start", "--httpPort", String(o.httpPort), "--lambdaPort", String(o.lambdaPort), ...params], {
    cwd: o.root,
    env: {
      ...process.env,
      // osls runs `npm ls` and would otherwise check the registry for updates.
      NPM_CONFIG_UPDATE_NOTIFIER: "false",
      SLS_TELEMETRY_DISABLED: "1",
      ZTPDP_HTTP_PORT: String(o.httpPort),
      ZTPDP_LAMBDA_PORT: String(o.lambdaPort),
      ...o.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serverless-offline not ready after ${o.readyTimeoutMs ?? 60_000} ms`)), o.readyTimeoutMs ?? 60_000);
    const onLine = (line: string) => {
      const audit = auditRecordIn(line);
      if (audit) o.onAudit?.(audit);
      else o.onLine?.(line);
      if (line.includes("Server ready:")) {
        clearTimeout(timer);
        resolve();
      }
    };
    createInterface({ input: child.stdout! }).on("line", onLine);
    createInterface({ input: child.stderr! }).on("line", onLine);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless-offline exited with code ${code} before it was ready`));
    });
  });
  try {
    await ready;
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  const base = `http://127.0.0.1:${o.httpPort}`;
  return { restUrl: `${base}/dev`, httpUrl: base, lambdaUrl: `http://127.0.0.1:${o.lambdaPort}`, stop: () => stopChild(child) };
}

/** The record inside one of our audit log lines (Powertools `{message:"audit", audit}` or the fallback). */
export function auditRecordIn(line: string): AuditRecord | undefined {
  const start = line.indexOf("{");
  if (start < 0 || !line.includes('"ztpdp.audit/')) return undefined;
  try {
    const parsed = JSON.parse(line.slice(start)) as { message?: string; audit?: AuditRecord };
    return parsed.message === "audit" && parsed.audit ? parsed.audit : undefined;
  } catch {
    return undefined;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
