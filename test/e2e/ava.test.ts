import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { matchRouteTemplate } from "../../src/adapters/apigateway/method-arn.js";
import type { AuditRecord } from "../../src/audit/record.js";
import { run } from "../../src/cli/run.js";
import { freeLoopbackPort, startDevIssuers, type DevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys } from "../../src/dev/keys.js";
import { startOffline, type OfflineStack } from "../../src/dev/offline.js";
import { tokenFingerprint } from "../../src/identity/fingerprint.js";
import { parseConfig } from "../../src/config/load.js";
import { restRequestEvent } from "../adapters/apigateway/events.js";
import { avaModeConfigEdit, planReplay, type ReplayPlan, type ReplayRequest } from "../ava/replay.js";
import { ROOT, writeLocalConfig } from "../support/local-config.js";

// End to end, AVA mode: the built authorizer bundles behind serverless-offline's API Gateway emulation,
// configured with a Verified Access policy folder (the test's own fixture), decide every scenario case
// of that folder as `ztpdp test` does. Each case is a real HTTP request with a real bearer token and
// device token; its audit record is matched by the token's fingerprint.
//
// serverless-offline gives authorizers no `requestContext.identity` (so no source address): cases that
// set a source address are sent to the same built bundle with the event API Gateway itself sends, which
// carries it.

// ZTPDP_AVA_FOLDER replays another folder the same way (e.g. the reference policies-ava/).
const OWN_FIXTURE = join(ROOT, "test/ava/fixtures/group");
const FIXTURE = process.env.ZTPDP_AVA_FOLDER ? join(ROOT, process.env.ZTPDP_AVA_FOLDER) : OWN_FIXTURE;
const ROUTES = ["/wiki", "/wiki/{page}", "/payments/charges", "/payments/charges/{chargeId}", "/hr/records/{employeeId}"];

let issuers: DevIssuers;
let offline: OfflineStack;
let plan: ReplayPlan;
let configPath: string;
let cleanup: () => void;
const audits: AuditRecord[] = [];

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/rest-authorizer/index.mjs"))) throw new Error("dist/ is missing: `npm test` builds first");
  const port = await freeLoopbackPort();
  const origin = `http://127.0.0.1:${port}`;
  const written = writeLocalConfig(origin, avaModeConfigEdit(FIXTURE, origin));
  configPath = written.path;
  cleanup = written.cleanup;
  const keys = ephemeralDevKeys();
  issuers = await startDevIssuers({ config: written.loaded.config, keys, port });
  plan = planReplay(FIXTURE, parseConfig(readFileSync(configPath, "utf8"), configPath), keys);
  offline = await startOffline({
    root: ROOT,
    httpPort: await freeLoopbackPort(),
    lambdaPort: await freeLoopbackPort(),
    env: { ZTPDP_CONFIG: configPath, POWERTOOLS_METRICS_DISABLED: "true" },
    onAudit: (record) => audits.push(record),
    readyTimeoutMs: 90_000,
  });
}, 120_000);

afterAll(async () => {
  await offline?.stop();
  await issuers?.close();
  cleanup?.();
});

/** A request with a chosen Host header (fetch cannot set one). */
function send(r: ReplayRequest): Promise<number> {
  const url = new URL(`${offline.restUrl}${r.path}${r.query ? `?${r.query}` : ""}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: r.method, headers: { ...r.headers, host: r.host } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function auditOf(token: string): Promise<AuditRecord> {
  const fp = tokenFingerprint(token);
  for (let i = 0; i < 100; i++) {
    const found = audits.find((a) => a.identity.tokenFingerprint === fp);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("no audit record for the request");
}

const context = { functionName: "zt-pdp-dev-restAuthorizer", awsRequestId: "e2e-ava", getRemainingTimeInMillis: () => 5000 } as unknown as Context;

describe("AVA mode end to end (serverless-offline, built bundles)", () => {
  it("`ztpdp test` passes on the folder with this config", async () => {
    let out = "";
    const code = await run(["test", "--config", configPath, FIXTURE], { stdout: (t) => void (out += t), stderr: (t) => void (out += t), cwd: ROOT, env: {} });
    expect(out).toMatch(/\d+ passed, 0 failed/);
    expect(code).toBe(0);
  });

  it("API Gateway answers every case as `ztpdp test` decided it: 200 for allow, 403 for deny, with the same determining policies", async () => {
    const viaOffline = plan.requests.filter((r) => !r.explicitSourceIp);
    if (FIXTURE === OWN_FIXTURE) expect([viaOffline.length, plan.notReplayable]).toEqual([17, []]);
    // The one thing a single request cannot carry: data from two device trust providers at once.
    for (const name of plan.notReplayable) console.warn(`not replayable (the authorizer takes one device token per request): ${name}`);
    const mismatches: string[] = [];
    for (const r of viaOffline) {
      const status = await send(r);
      const expected = r.expect.decision === "allow" ? 200 : 403;
      const audit = await auditOf(r.token);
      if (status !== expected) mismatches.push(`${r.name}: HTTP ${status} (${audit.errors.map((e) => e.code).join(",")})`);
      if (audit.outcome !== r.expect.decision) mismatches.push(`${r.name}: audit ${audit.outcome}`);
      if (r.expect.determining && [...audit.determiningPolicies].sort().join() !== [...r.expect.determining].sort().join()) {
        mismatches.push(`${r.name}: determining ${audit.determiningPolicies.join(",")}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("the built bundle decides the source-address cases as `ztpdp test` did, from API Gateway's event", async () => {
    const withIp = plan.requests.filter((r) => r.explicitSourceIp);
    if (FIXTURE === OWN_FIXTURE) expect(withIp.map((r) => r.expect.decision).sort()).toEqual(["allow", "deny"]);
    process.env.ZTPDP_CONFIG = configPath;
    const { handler } = (await import(pathToFileURL(join(ROOT, "dist/rest-authorizer/index.mjs")).href)) as { handler: (e: unknown, c: Context) => Promise<{ policyDocument: { Statement: [{ Effect: string }] } }> };
    for (const r of withIp) {
      const event = restRequestEvent({ method: r.method, path: r.path, resource: matchRouteTemplate(r.path.slice(1), ROUTES)!, pathParameters: null, headers: { ...r.headers, Host: r.host }, domainName: r.host, sourceIp: r.sourceIp });
      const res = await handler(event, context);
      expect([r.name, res.policyDocument.Statement[0].Effect]).toEqual([r.name, r.expect.decision === "allow" ? "Allow" : "Deny"]);
    }
  });
});
