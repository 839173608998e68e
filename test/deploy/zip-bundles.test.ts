import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/audit/record.js";
import { ephemeralDevKeys, type DevKeys } from "../../src/dev/keys.js";
import { mintDeviceToken, mintServiceToken, mintUserToken } from "../../src/dev/mint.js";
import { httpApiEvent, restRequestEvent, tokenEvent } from "../adapters/apigateway/events.js";
import { checkAuditRecord } from "../support/audit-contract.js";
import { FIXTURE_POLICIES } from "../support/fixture-project.js";
import { startLocalAvp, type LocalAvp } from "../../src/dev/avp/server.js";
import { loadPolicyDir } from "../../src/policy/loader.js";
import { storeWith } from "../policy/verified-permissions/support.js";
import { loopbackCertificate } from "../support/tls.js";
import { packagingProject, type PackagingProject } from "./project.js";

// The deployable artifact itself: `serverless package --stage prod --param config=config/examples/production.yaml`
// (what `npm run package -- …` runs), then every authorizer zip unzipped and started as Lambda would start
// it — no ZTPDP_CONFIG, only what the zip carries — deciding real requests. The example config is the
// committed one with its https origins pointed at a loopback https server (keys made for this run, a
// self-signed certificate trusted through NODE_EXTRA_CA_CERTS), and the test project's policies.

const CONFIG = "config/examples/production.yaml";
let project: PackagingProject;
let https: Server;
let keys: DevKeys;
let certFile: string;
let origin: string;
let outDir: string;
let unzipped: string;

beforeAll(async () => {
  keys = ephemeralDevKeys();
  const tls = loopbackCertificate();
  certFile = tls.certFile;
  const routes = new Map<string, unknown>([
    ["/idp/oauth2/default/v1/keys", { keys: [keys.idp.publicJwk] }],
    ["/posture/jamf/.well-known/jwks.json", { keys: [keys.mdm.publicJwk] }],
  ]);
  https = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const body = routes.get(req.url ?? "");
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" }).end(JSON.stringify(body ?? { error: "not_found" }));
  });
  await new Promise<void>((resolve) => https.listen(0, "127.0.0.1", resolve));
  origin = `https://127.0.0.1:${(https.address() as AddressInfo).port}`;

  project = packagingProject();
  const example = readFileSync(join(project.root, CONFIG), "utf8");
  project.write(CONFIG, example.replaceAll("https://idp.example.com", `${origin}/idp`).replaceAll("https://posture.example.com", `${origin}/posture`));
  outDir = join(project.root, "out");
  const run = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--package", outDir]);
  expect(run.output).toContain(`authorizer zips carry ${CONFIG}`);
  expect(run.code).toBe(0);
  unzipped = mkdtempSync(join(tmpdir(), "ztpdp-unzipped-"));
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => https?.close(() => resolve()));
  project?.cleanup();
  if (unzipped) rmSync(unzipped, { recursive: true, force: true });
});

async function unzip(name: string, from = outDir): Promise<{ dir: string; entries: string[] }> {
  const zip = await JSZip.loadAsync(readFileSync(join(from, `${name}.zip`)));
  const dir = join(unzipped, from === outDir ? name : `${name}-${basename(from)}`);
  const entries: string[] = [];
  for (const file of Object.values(zip.files)) {
    if (file.dir) continue;
    entries.push(file.name);
    mkdirSync(dirname(join(dir, file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), await file.async("nodebuffer"));
  }
  return { dir, entries: entries.sort() };
}

/** An allow of this route (the exact caching of issue 9 adds a Deny of every other route beside it). */
const ALLOWED = { policyDocument: { Statement: expect.arrayContaining([expect.objectContaining({ Effect: "Allow" })]) } };

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Cold start + one invocation of a bundle, in its own process, from the unzipped folder (Lambda's /var/task). */
async function invoke(dir: string, bundle: string, event: unknown, extraEnv: Record<string, string> = {}): Promise<{ result?: unknown; thrown?: string; audits: AuditRecord[] }> {
  const env = { ...process.env, NODE_EXTRA_CA_CERTS: certFile, POWERTOOLS_SERVICE_NAME: "ztpdp-prod", POWERTOOLS_METRICS_NAMESPACE: "ZtPdp", ...extraEnv } as Record<string, string>;
  delete env.ZTPDP_CONFIG;
  const { stdout } = await promisify(execFile)(process.execPath, [join(import.meta.dirname, "run-bundle.mjs"), join(dir, "dist", bundle, "index.mjs"), JSON.stringify(event)], { cwd: dir, env, timeout: 60_000 });
  const lines = stdout.split("\n");
  const last = lines.findLast((l) => l.startsWith("RESULT ") || l.startsWith("THROWN "));
  const audits = lines.filter((l) => l.includes('"message":"audit"')).map((l) => (JSON.parse(l) as { audit: AuditRecord }).audit);
  audits.forEach(checkAuditRecord);
  if (last?.startsWith("RESULT ")) return { result: JSON.parse(last.slice(7)), audits };
  return { thrown: last?.slice(7) ?? `no result:\n${stdout}`, audits };
}

const user = () => mintUserToken(keys.idp, { issuer: `${origin}/idp/oauth2/default`, audience: "api://zt-pdp", user: "alice", groups: ["Employees"] });
const device = () => mintDeviceToken(keys.mdm, { provider: "jamf", issuer: `${origin}/posture/jamf`, audience: "zt-pdp-device", user: "alice", state: "patched" });

describe.each([
  ["restAuthorizer", "rest-authorizer"],
  ["tokenAuthorizer", "token-authorizer"],
  ["httpAuthorizer", "http-authorizer"],
])("the packaged %s zip", (name, bundle) => {
  it("holds its bundle and exactly the named config, its policies and baseline", async () => {
    const { dir, entries } = await unzip(name);
    const policyNames = ["data-perimeter.cedar", "hr.cedar", "payments.cedar", "schema.cedarschema", "status.cedar", "wiki.cedar"];
    expect(entries).toEqual(
      [
        "cedar_wasm_bg.wasm",
        "config/examples/production.yaml",
        "index.mjs",
        "policies/.policy-set.compiled.json",
        "policies/patch-baseline.yaml",
        ...policyNames.map((p) => `policies/${p}`),
        "ztpdp-bundle.json",
      ]
        .map((f) => `dist/${bundle}/${f}`)
        .sort(),
    );
    const config = readFileSync(join(dir, "dist", bundle, CONFIG));
    expect(sha256(config)).toBe(sha256(readFileSync(join(project.root, CONFIG))));
    for (const file of [...policyNames, "patch-baseline.yaml"]) {
      expect(readFileSync(join(dir, "dist", bundle, "policies", file), "utf8")).toBe(readFileSync(join(FIXTURE_POLICIES, file), "utf8"));
    }
    // No trace of the local-only network emulation (src/dev/network-emulation.ts) in what is deployed.
    expect(readFileSync(join(dir, "dist", bundle, "index.mjs"), "utf8").toLowerCase()).not.toContain("ztpdp-emulate");
    const manifest = JSON.parse(readFileSync(join(dir, "dist", bundle, "ztpdp-bundle.json"), "utf8")) as { config: string; configSha256: string };
    expect(manifest).toMatchObject({ config: CONFIG, configSha256: sha256(config) });
  });

  it("starts from the unzipped folder with that config and decides", async () => {
    const dir = join(unzipped, name);
    let out;
    if (bundle === "rest-authorizer") {
      // The local stack's network-emulation header means nothing to a deployed authorizer.
      const headers = { Authorization: `Bearer ${user()}`, "X-Device-Token": device(), "X-Ztpdp-Emulate-Source-Ip": "10.9.9.9" };
      out = await invoke(dir, bundle, restRequestEvent({ headers, sourceIp: "203.0.113.7" }));
      expect(out.result).toMatchObject(ALLOWED);
      expect(out.audits[0]!.request.sourceIp).toBe("203.0.113.7");
    } else if (bundle === "token-authorizer") {
      out = await invoke(dir, bundle, tokenEvent(`Bearer ${mintServiceToken(keys.idp, { issuer: `${origin}/idp/oauth2/default`, audience: "api://zt-pdp", clientId: "order-service" })}`));
      expect(out.result).toMatchObject(ALLOWED);
    } else {
      out = await invoke(dir, bundle, httpApiEvent({ headers: { authorization: `Bearer ${user()}`, "x-device-token": device() } }));
      expect(out.result).toMatchObject({ isAuthorized: true });
    }
    // The audit record names the issuer and provider of the packaged config, not the development one.
    expect(out.audits).toHaveLength(1);
    expect(out.audits[0]).toMatchObject({ outcome: "allow", identity: { issuer: "corp-idp" } });
    if (bundle !== "token-authorizer") expect(out.audits[0]!.device).toMatchObject({ verified: true, provider: "jamf" });
  });
});

// A config choosing Verified Permissions (`--param config=config/examples/avp.yaml`): the zips carry the
// config, the schema the requests are checked against and the baseline, but no policy (the store holds
// them), and the engine's module is in the bundle: started from the unzip, it decides through the store.
describe("the packaged restAuthorizer zip on a Verified Permissions config", () => {
  const AVP_CONFIG = "config/examples/avp.yaml";
  let avp: LocalAvp;
  let storeId: string;
  let avpOut: string;

  beforeAll(async () => {
    avp = await startLocalAvp();
    storeId = await storeWith(avp, loadPolicyDir(FIXTURE_POLICIES));
    const policy = ["policy:", "  engine: verified-permissions", "  mode: remote", `  policyStoreId: ${storeId}`, "  region: eu-west-1", `  endpoint: ${avp.url}`, "  dir: ../../policies", "  timeoutMs: 10000", "  attemptTimeoutMs: 5000", ""].join("\n"); // budgets for a loaded test machine
    project.write(AVP_CONFIG, readFileSync(join(project.root, CONFIG), "utf8").replace(/^policy:\n(  .*\n)+/m, policy) + "limits:\n  decisionTimeoutMs: 20000\n");
    avpOut = join(project.root, "out-avp");
    const run = await project.serverless(["package", "--stage", "prod", "--param", `config=${AVP_CONFIG}`, "--package", avpOut]);
    expect(run.output).toContain(`authorizer zips carry ${AVP_CONFIG}`);
    expect(run.code).toBe(0);
  }, 180_000);
  afterAll(() => avp?.close());

  it("holds the config, the schema and the baseline, no policy, and the Verified Permissions engine", async () => {
    const { dir, entries } = await unzip("restAuthorizer", avpOut);
    expect(entries).toEqual(
      ["cedar_wasm_bg.wasm", AVP_CONFIG, "index.mjs", "policies/.policy-set.compiled.json", "policies/patch-baseline.yaml", "policies/schema.cedarschema", "ztpdp-bundle.json"]
        .map((f) => `dist/rest-authorizer/${f}`)
        .sort(),
    );
    expect(readFileSync(join(dir, "dist/rest-authorizer/index.mjs"), "utf8")).toContain("IsAuthorizedCommand");
  });

  it("starts from the unzipped folder and decides through the store", async () => {
    const dir = join(unzipped, `restAuthorizer-${basename(avpOut)}`);
    const calls = avp.count("IsAuthorized");
    const credentials = { AWS_ACCESS_KEY_ID: "AKIDLOCALENDPOINT", AWS_SECRET_ACCESS_KEY: "local-endpoint", AWS_EC2_METADATA_DISABLED: "true" };
    const out = await invoke(dir, "rest-authorizer", restRequestEvent({ headers: { Authorization: `Bearer ${user()}`, "X-Device-Token": device() } }), credentials);
    expect(out.result).toMatchObject(ALLOWED);
    expect(out.audits).toHaveLength(1);
    expect(out.audits[0]).toMatchObject({ outcome: "allow", engine: "verified-permissions", policyRevision: `avp:${storeId}`, determiningPolicies: ["wiki-employees-read"] });
    expect(avp.count("IsAuthorized") - calls).toBe(1);
  });
});
