import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import { freeLoopbackPort, startDevIssuers, type DevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys } from "../../src/dev/keys.js";
import { startOffline, type OfflineStack } from "../../src/dev/offline.js";
import { tokenFingerprint } from "../../src/identity/fingerprint.js";
import { parseConfig } from "../../src/config/load.js";
import { auditCollector } from "../support/audit-collector.js";
import { avaModeConfigEdit, planReplay, type ReplayPlan, type ReplayRequest } from "../ava/replay.js";
import { ROOT, writeLocalConfig } from "../support/local-config.js";

// End to end, AVA mode: the built authorizer bundles behind serverless-offline's API Gateway emulation,
// configured with a Verified Access policy folder (the test's own fixture), decide every scenario case
// of that folder as `ztpdp test` does. Each case is a real HTTP request with a real bearer token and
// device token; its audit record is matched by the token's fingerprint and checked against the audit
// JSON Schema.
//
// serverless-offline has no domain name or source address of its own: the stack runs with the local
// network emulation (`--param emulateNetwork=true`, as `npm start` does), and each request says what API
// Gateway would have seen with X-Ztpdp-Emulate-Domain-Name (the case's host) and, when the case sets one,
// X-Ztpdp-Emulate-Source-Ip.

// ZTPDP_AVA_FOLDER replays another folder the same way (e.g. the reference policies-ava/).
const OWN_FIXTURE = join(ROOT, "test/ava/fixtures/group");
const FIXTURE = process.env.ZTPDP_AVA_FOLDER ? join(ROOT, process.env.ZTPDP_AVA_FOLDER) : OWN_FIXTURE;

let issuers: DevIssuers;
let offline: OfflineStack;
let plan: ReplayPlan;
let configPath: string;
let cleanup: () => void;
const audits = auditCollector();

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
    params: { emulateNetwork: "true" },
    onAudit: audits.push,
    readyTimeoutMs: 90_000,
  });
}, 120_000);

afterAll(async () => {
  await offline?.stop();
  await issuers?.close();
  cleanup?.();
});

/** The case as an HTTP request, with the domain name (and source address) API Gateway would have seen. */
function send(r: ReplayRequest): Promise<number> {
  const url = new URL(`${offline.restUrl}${r.path}${r.query ? `?${r.query}` : ""}`);
  const emulated = { "x-ztpdp-emulate-domain-name": r.host, ...(r.explicitSourceIp ? { "x-ztpdp-emulate-source-ip": r.sourceIp } : {}) };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: r.method, headers: { ...r.headers, ...emulated } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("AVA mode end to end (serverless-offline, built bundles)", () => {
  it("`ztpdp test` passes on the folder with this config", async () => {
    let out = "";
    const code = await run(["test", "--config", configPath, FIXTURE], { stdout: (t) => void (out += t), stderr: (t) => void (out += t), cwd: ROOT, env: {} });
    expect(out).toMatch(/\d+ passed, 0 failed/);
    expect(code).toBe(0);
  });

  it("API Gateway answers every case as `ztpdp test` decided it: 200 for allow, 403 for deny, with the same determining policies", async () => {
    if (FIXTURE === OWN_FIXTURE) {
      expect([plan.requests.length, plan.notReplayable]).toEqual([19, []]);
      // Cases decided on the client address are among them, both ways.
      expect(plan.requests.filter((r) => r.explicitSourceIp).map((r) => r.expect.decision).sort()).toEqual(["allow", "deny"]);
    }
    // The one thing a single request cannot carry: data from two device trust providers at once.
    for (const name of plan.notReplayable) console.warn(`not replayable (the authorizer takes one device token per request): ${name}`);
    const mismatches: string[] = [];
    for (const r of plan.requests) {
      const status = await send(r);
      const expected = r.expect.decision === "allow" ? 200 : 403;
      const fp = tokenFingerprint(r.token);
      const audit = await audits.waitForAudit((a) => a.identity.tokenFingerprint === fp);
      if (status !== expected) mismatches.push(`${r.name}: HTTP ${status} (${audit.errors.map((e) => e.code).join(",")})`);
      if (audit.outcome !== r.expect.decision) mismatches.push(`${r.name}: audit ${audit.outcome}`);
      if (r.expect.determining && [...audit.determiningPolicies].sort().join() !== [...r.expect.determining].sort().join()) {
        mismatches.push(`${r.name}: determining ${audit.determiningPolicies.join(",")}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});
