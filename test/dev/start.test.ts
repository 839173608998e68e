import type { ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/dev/issuers.js";
import { main as avaMain } from "../../src/dev/ava-cli.js";
import { main as tokenMain } from "../../src/dev/token-cli.js";
import { checkAuditRecord } from "../support/audit-contract.js";
import { FIXTURE_CONFIG, FIXTURE_PROJECT } from "../support/fixture-project.js";
import { stackReady, startStack, stopStack } from "./stack-process.js";

// The README's main job, as a newcomer runs it: `npm start` (the built dist/dev/start.mjs) and `npm run
// token`, then plain HTTP. Every port comes from a flag (free ports; the dev IdP's chosen by the stack with
// --idp-port 0), and the config is the test project's, so a developer's own `npm start` on the default
// ports and config can run beside this test.

let child: ChildProcess;
let output: string[] = [];
let restUrl = "";
let tokenConfig = "";
let tpIssuer = "";

beforeAll(async () => {
  const started = startStack(["--http-port", String(await freeLoopbackPort()), "--lambda-port", String(await freeLoopbackPort()), "--idp-port", "0", "--config", FIXTURE_CONFIG]);
  child = started.child;
  output = started.lines;
  await stackReady(started);
  const text = output.join("\n");
  restUrl = /REST API \(REQUEST authorizer\): (\S+)/.exec(text)?.[1] ?? "";
  tokenConfig = /npm run -s token -- --config '([^']+)'/.exec(text)?.[1] ?? "";
}, 120_000);

afterAll(() => stopStack(child));

/** `eval "$(npm run -s token -- …)"`, in process. */
function mint(args: string): { TOKEN: string; DEVICE_TOKEN: string } {
  let out = "";
  expect(tokenMain(["--config", tokenConfig, ...args.split(" ")], (s) => (out += s), () => undefined)).toBe(0);
  const value = (name: string) => new RegExp(`^${name}='([^']*)'`, "m").exec(out)?.[1] ?? "";
  return { TOKEN: value("TOKEN"), DEVICE_TOKEN: value("DEVICE_TOKEN") };
}

async function waitForOutput(pattern: RegExp): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const line = output.find((l) => pattern.test(l));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no output line matching ${pattern}`);
}

describe("npm start refuses a bad config", () => {
  it("lists every config problem and starts nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ztpdp-bad-"));
    writeFileSync(join(dir, "pdp.yaml"), "version: 1\nissuers:\n  - name: x\n    issuer: ''\n    jwksUri: ftp://x\nrouts: []\n");
    const run = startStack(["--http-port", "0", "--lambda-port", "0", "--idp-port", "0"], { ZTPDP_CONFIG: join(dir, "pdp.yaml") });
    expect(await run.exited).toBe(1);
    const text = run.lines.join("\n");
    expect(text).toContain("npm start: refusing to start: 6 problems with the configuration");
    for (const p of ["issuers.0.issuer", "issuers.0.jwksUri", "issuers.0.audiences", "issuers.0.types", "issuers.0.tokenUse", 'Unrecognized key: "routs"']) expect(text).toContain(p);
    expect(text).not.toContain("Local stack ready");
  });

  it("lists the policy and patch-baseline problems of a valid config with file:line:col", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ztpdp-bad-"));
    cpSync(FIXTURE_PROJECT, dir, { recursive: true });
    writeFileSync(join(dir, "policies/extra.cedar"), '@id("broken")\npermit (principal, action, resource) when { context.nope };\n');
    writeFileSync(join(dir, "policies/patch-baseline.yaml"), "version: 1\nminimum:\n  macos: 15.10\n");
    const run = startStack(["--http-port", "0", "--lambda-port", "0", "--idp-port", "0", "--config", join(dir, "config/pdp.yaml")]);
    expect(await run.exited).toBe(1);
    const text = run.lines.join("\n");
    expect(text).toContain("npm start: refusing to start: 2 problems");
    expect(text).toMatch(/extra\.cedar:2:\d+: for policy `broken`, attribute `nope` in context/);
    expect(text).toMatch(/patch-baseline\.yaml: line 3: `minimum\.macos`/);
    expect(text).not.toContain("Local stack ready");
  });

  it("refuses an unknown engine with its usage (exit 2)", async () => {
    const run = startStack(["--engine", "avp"]);
    expect(await run.exited).toBe(2);
    expect(run.lines.join("\n")).toContain("--engine must be local, avp-remote or avp-mirror (got `avp`)");
  });

  it("refuses a bad port with its usage (exit 2)", async () => {
    const run = startStack([], { ZTPDP_HTTP_PORT: "http" });
    expect(await run.exited).toBe(2);
    expect(run.lines.join("\n")).toContain("ZTPDP_HTTP_PORT must be a port number 0-65535 (got `http`)");
  });
});

describe("npm start + npm run token", () => {
  it("prints the base URL and ready-to-paste curl commands for the config it runs on", () => {
    expect(restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dev$/);
    const text = output.join("\n");
    // The dev IdP moved to a free port: the stack's copy of the config says where, and the tour passes it on.
    expect(tokenConfig).not.toBe("");
    expect(text).toContain(`eval "$(npm run -s token -- --config '${tokenConfig}' --user alice --groups Employees --device patched --provider jamf)"`);
    expect(text).toContain(`${restUrl}/wiki/home -H "Authorization: Bearer $TOKEN"`);
    expect(text).toMatch(/401 without an audit record: with no Authorization header API Gateway \(here serverless-offline\)\n\s+# answers 401 itself/);
  });

  it("sends the no-token request the tour shows to a 401 that leaves no audit record", async () => {
    const audits = () => output.filter((l) => l.startsWith("AUDIT ")).length;
    const before = audits();
    expect((await fetch(`${restUrl}/wiki/home`)).status).toBe(401);
    // A request the authorizer decides after it prints its record within milliseconds; give it a second.
    await new Promise((r) => setTimeout(r, 1000));
    expect(audits()).toBe(before);
  });

  it("lets the tour try the data-perimeter allow path with the local-only network headers", async () => {
    const hana = mint("--user hana --groups Employees,HR --device patched --provider crowdstrike");
    const headers = { authorization: `Bearer ${hana.TOKEN}`, "x-device-token": hana.DEVICE_TOKEN };
    expect((await fetch(`${restUrl}/hr/records/e-42`, { headers })).status).toBe(403);
    const inside = await fetch(`${restUrl}/hr/records/e-42`, { headers: { ...headers, "X-Ztpdp-Emulate-Source-Ip": "10.1.2.3" } });
    expect(inside.status).toBe(200);
    const { decisionId } = (await inside.json()) as { decisionId: string };
    const record = await waitForOutput(new RegExp(`"decisionId":"${decisionId}"`));
    expect(record).toContain('"sourceIp":"10.1.2.3"');
    expect(record.toLowerCase()).not.toContain("x-ztpdp-emulate");
    const viaVpce = await fetch(`${restUrl}/hr/records/e-42`, { headers: { ...headers, "X-Ztpdp-Emulate-Vpce-Id": "vpce-0a1b2c3d4e5f60718" } });
    expect(viaVpce.status).toBe(200);
    const vpceRecord = await waitForOutput(new RegExp(`"decisionId":"${((await viaVpce.json()) as { decisionId: string }).decisionId}"`));
    expect(vpceRecord).toContain('"vpceId":"vpce-0a1b2c3d4e5f60718"');
  });

  it("gives an allow, a 403 and a 401, and prints each audit record", async () => {
    const allowed = mint("--user alice --groups Employees --device patched --provider jamf");
    const ok = await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${allowed.TOKEN}`, "x-device-token": allowed.DEVICE_TOKEN } });
    expect(ok.status).toBe(200);
    const { decisionId } = (await ok.json()) as { decisionId: string };
    await waitForOutput(new RegExp(`"decisionId":"${decisionId}"`));

    const unpatched = mint("--user alice --groups Employees --device unpatched --provider jamf");
    const denied = await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${unpatched.TOKEN}`, "x-device-token": unpatched.DEVICE_TOKEN } });
    expect(denied.status).toBe(403);
    await waitForOutput(/AUDIT DENY .*jamf macos 14\.6\.1 unpatched/);

    const expired = mint("--user alice --expired");
    expect((await fetch(`${restUrl}/wiki/home`, { headers: { authorization: `Bearer ${expired.TOKEN}` } })).status).toBe(401);
    await waitForOutput(/AUDIT UNAUTHENTICATED .*token_expired/);
  });

  it("runs the Verified Access trust provider with its DynamoDB: `npm run ava` signs alice in (ALLOW) and the sign-in is audited", async () => {
    // The trust provider's lines follow the main tour.
    tpIssuer = /Verified Access trust provider \(OIDC\), issuer (\S+);/.exec(await waitForOutput(/Verified Access trust provider \(OIDC\), issuer/))![1]!;
    expect(tpIssuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const run = async (args: string) => {
      let out = "";
      let err = "";
      const code = await avaMain([...args.split(" "), "--issuer", tpIssuer, "--config", tokenConfig], (s) => (out += s), (s) => (err += s));
      return { code, out, err };
    };
    const allowed = await run("--user alice --device patched");
    expect(allowed.err).toBe("");
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('"patched": true');
    expect(allowed.out).toMatch(/AVA policy .*: ALLOW/);
    await waitForOutput(/AUDIT ALLOW .*GET \/oauth2\/callback .*User::alice .*jamf macos 15\.7\.2 patched/);
    const otherDevice = await run("--user alice --device-user bob");
    expect(otherDevice.out).toContain('"untrusted_reason": "device_binding_mismatch"');
    expect(otherDevice.out).toMatch(/AVA policy .*: DENY/);
  });

  it("printed records that match the audit JSON Schema (one JSON line under each AUDIT summary)", () => {
    const records = output.filter((line) => line.startsWith('      {"schema":"ztpdp.audit/'));
    expect(records.length).toBeGreaterThanOrEqual(5);
    for (const line of records) checkAuditRecord(JSON.parse(line));
  });

  it("prints its options on --help (exit 0)", () => {
    let out = "";
    expect(tokenMain(["--help"], (s) => (out += s), () => undefined)).toBe(0);
    expect(out).toContain("--device STATE");
  });

  it("refuses an unknown token option with a usage error (exit 2)", () => {
    let err = "";
    expect(tokenMain(["--device", "shiny"], () => undefined, (s) => (err += s))).toBe(2);
    expect(err).toContain("--device must be patched, unpatched or none");
  });
});
