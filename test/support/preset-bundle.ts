import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { expect, vi } from "vitest";
import { stringify } from "yaml";
import type { AuditRecord } from "../../src/audit/record.js";
import { restRequestEvent } from "../adapters/apigateway/events.js";
import { startJwksServer, type JwksServer } from "./jwks-server.js";
import { jwksOf, type TestKey } from "./keys.js";

/**
 * The built REST authorizer bundle (dist/rest-authorizer/index.mjs, as Lambda loads it) on a config made of
 * the given issuer entries, with their JWKS served by a loopback server. Only `jwksUri` is pointed at
 * loopback: the preset's issuer URL (the IdP's real https form) stays, so tokens carry the `iss` the IdP
 * documents and every header and claim rule of the preset runs. Policies and schema are this folder's
 * fixtures (test/identity/presets/fixtures), never `policies/`.
 */

const ROOT = resolve(import.meta.dirname, "../..");
export const PRESET_FIXTURES = join(ROOT, "test/identity/presets/fixtures/policies");

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface Outcome {
  /** What API Gateway would answer: 200 (IAM Allow), 403 (explicit Deny), 401 ("Unauthorized"). */
  status: 200 | 401 | 403;
  audit: AuditRecord;
  principalId?: string;
}

export interface PresetBundle {
  jwks: JwksServer;
  /** One authorizer invocation with `Authorization: Bearer <token>` on a route of the fixture catalog. */
  call(token: string, route?: "/wiki/{page}" | "/finance" | "/reports"): Promise<Outcome>;
  /** Asserts the token is refused with a 401 whose audit record names `code`. */
  expectRefused(token: string, code: string): Promise<void>;
  close(): Promise<void>;
}

const context = {
  functionName: "zt-pdp-test-restAuthorizer",
  awsRequestId: "preset-test",
  getRemainingTimeInMillis: () => 5000,
} as unknown as Context;

export async function startPresetBundle(
  issuers: Record<string, unknown>[],
  keys: TestKey[],
  extra: Record<string, unknown> = {},
): Promise<PresetBundle> {
  const jwks = await startJwksServer({ jwks: jwksOf(...keys), jwksPath: "/idp-keys.json" });
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-preset-"));
  const config = {
    version: 1,
    issuers: issuers.map((entry) => ({ ...entry, jwksUri: jwks.jwksUri })),
    devicePosture: { patchBaselineFile: join(PRESET_FIXTURES, "patch-baseline.yaml"), providers: [] },
    routes: [
      { path: "/wiki/{page}", application: "wiki", classification: "internal" },
      { path: "/finance", application: "finance", classification: "confidential" },
      { path: "/reports", application: "reports", classification: "internal" },
    ],
    policy: { engine: "local", dir: PRESET_FIXTURES },
    development: { allowInsecureLoopbackJwks: true },
    ...extra,
  };
  const configPath = join(dir, "pdp.yaml");
  writeFileSync(configPath, stringify(config));
  process.env.ZTPDP_CONFIG = configPath;
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  // A fresh module instance per config: the bundle reads its config once, at cold start.
  vi.resetModules();
  const url = pathToFileURL(join(ROOT, "dist/rest-authorizer/index.mjs")).href;
  const { handler } = (await import(/* @vite-ignore */ url)) as { handler: Handler };

  const audits = (): AuditRecord[] =>
    lines
      .join("")
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { message?: string; audit?: AuditRecord })
      .filter((l) => l.message === "audit")
      .map((l) => l.audit as AuditRecord);

  const call: PresetBundle["call"] = async (token, route = "/wiki/{page}") => {
    lines.length = 0;
    const path = route === "/wiki/{page}" ? "/wiki/home" : route;
    const event = restRequestEvent({ resource: route, path, pathParameters: route === "/wiki/{page}" ? { page: "home" } : null, headers: { Authorization: `Bearer ${token}` } });
    let status: Outcome["status"];
    let principalId: string | undefined;
    try {
      const res = (await handler(event, context)) as { principalId: string; policyDocument: { Statement: { Effect: string }[] } };
      status = res.policyDocument.Statement[0]?.Effect === "Allow" ? 200 : 403;
      principalId = res.principalId;
    } catch (err) {
      if ((err as Error).message !== "Unauthorized") throw err;
      status = 401;
    }
    const records = audits();
    if (records.length !== 1) throw new Error(`expected exactly one audit record, got ${records.length}`);
    return { status, audit: records[0] as AuditRecord, ...(principalId !== undefined ? { principalId } : {}) };
  };

  return {
    jwks,
    call,
    async expectRefused(token, code) {
      const r = await call(token);
      expect(r.status).toBe(401);
      expect(r.audit.errors[0]?.code).toBe(code);
    },
    async close() {
      spy.mockRestore();
      await jwks.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
