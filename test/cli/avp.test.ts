import { CreatePolicyCommand, CreatePolicyStoreCommand } from "@aws-sdk/client-verifiedpermissions";
import { policyToJson, schemaToJson } from "@cedar-policy/cedar-wasm/nodejs";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPolicyDir, readPolicyDir } from "../../src/policy/loader.js";
import { canonicalJson } from "../../src/policy/revision.js";
import { sdkClient, startLocalAvp, type LocalAvp } from "../policy/verified-permissions/support.js";
import { REPO_ROOT, runCli } from "./helpers.js";

/**
 * `ztpdp push`, `ztpdp pull` and `ztpdp test --engine` against the local Verified Permissions endpoint, on a
 * copy of the reference project (test fixture; tests never read policies/).
 */

const FIXTURE = join(REPO_ROOT, "test/fixtures/project");
let avp: LocalAvp;
const temps: string[] = [];

beforeAll(async () => {
  avp = await startLocalAvp();
});
afterAll(async () => {
  await avp.close();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-avp-"));
  temps.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

async function emptyStore(): Promise<string> {
  const out = await sdkClient(avp).send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" } }));
  return String(out.policyStoreId);
}

const storeFlags = (id: string) => ["--policy-store-id", id, "--endpoint", avp.url];
const writes = () => avp.calls.filter((c) => ["PutSchema", "CreatePolicy", "UpdatePolicy", "DeletePolicy"].includes(c.operation)).length;

/** Each policy of a folder in Cedar's JSON form, by stable id, plus the schema's JSON. */
function meaning(dir: string) {
  const set = loadPolicyDir(dir, { warningsAsErrors: false, schemaPath: join(dir, "schema.cedarschema") });
  const schema = schemaToJson(set.schemaText);
  return {
    schema: schema.type === "success" ? canonicalJson(schema.json) : "invalid",
    policies: Object.fromEntries(set.policies.map((p) => [p.id, canonicalJson((policyToJson(p.text) as { json: unknown }).json)])),
    revision: set.revision,
  };
}

describe("ztpdp push and pull", () => {
  it("push into an empty store, then pull: the same policies (ids, Cedar JSON) and schema, and the same revision", async () => {
    const dir = project();
    const store = await emptyStore();
    const pushed = await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir });
    expect(pushed.stderr).toBe("");
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toContain("~ schema (namespace ZtPdp)");
    expect(pushed.stdout).toContain("+ wiki-employees-read (permit)");
    expect(pushed.stdout).toContain("+ payments-only-order-service (forbid)");
    const original = meaning(join(dir, "policies"));
    expect(pushed.stdout).toContain(`it now holds revision ${original.revision}`);

    const pulled = await runCli(["pull", "pulled", ...storeFlags(store)], { cwd: dir });
    expect(pulled.stderr).toBe("");
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toContain(`(namespace ZtPdp removed; revision ${original.revision})`);
    expect(meaning(join(dir, "pulled"))).toEqual(original);
    expect(readdirSync(join(dir, "pulled")).sort()).toEqual(["schema.cedarschema", ...Object.keys(original.policies).map((id) => `${id}.cedar`)].sort());

    // The pulled folder is what the store holds: pushing it back changes nothing.
    const before = writes();
    const again = await runCli(["push", "pulled", ...storeFlags(store)], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already matches 7 policies and the schema/);
    expect(writes()).toBe(before);
    // And `ztpdp test` runs on it (the fixture's scenarios).
    const tested = await runCli(["test", "pulled", "--scenarios", "policies/tests", "--require-coverage"], { cwd: dir });
    expect(tested.stdout).toMatch(/passed, 0 failed .* 7\/7 policies covered/);
  }, 120_000);

  it("--dry-run prints the diff and writes nothing; a real push then makes exactly those changes", async () => {
    const dir = project();
    const store = await emptyStore();
    expect((await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir })).code).toBe(0);
    const policies = join(dir, "policies");
    // Edit: a condition (update in place), a principal (replace), a removed policy (delete), a new one (create).
    const wiki = readFileSync(join(policies, "wiki.cedar"), "utf8");
    writeFileSync(join(policies, "wiki.cedar"), wiki.replace("context.device.os.patched", "context.device.os.patched && context.device.diskEncrypted"));
    const status = readFileSync(join(policies, "status.cedar"), "utf8");
    writeFileSync(join(policies, "status.cedar"), status.replace(/permit \(\s*principal,/, 'permit (\n  principal is User,'));
    rmSync(join(policies, "hr.cedar"));
    writeFileSync(join(policies, "extra.cedar"), '@id("extra-forbid")\nforbid (principal, action in Action::"write", resource in Application::"status");\n');

    const before = writes();
    const dry = await runCli(["push", "policies", "--dry-run", ...storeFlags(store)], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(writes()).toBe(before);
    const lines = dry.stdout.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^dry run: \d+ changes \(\d+ unchanged\); nothing written$/);
    expect(lines).toEqual(
      expect.arrayContaining([
        "+ extra-forbid (forbid)",
        expect.stringMatching(/^~ wiki-employees-read \(permit, action or conditions changed; SP\w+\)$/),
        expect.stringMatching(/^± status-read \(permit, delete and create: principal scope changed; was SP\w+\)$/),
        expect.stringMatching(/^- hr-read \(permit; SP\w+\)$/),
      ]),
    );
    expect(lines.some((l) => l.includes("schema"))).toBe(false);

    const real = await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir });
    expect(real.code).toBe(0);
    const pulled = await runCli(["pull", "pulled", ...storeFlags(store)], { cwd: dir });
    expect(pulled.code).toBe(0);
    expect(meaning(join(dir, "pulled"))).toEqual(meaning(policies));
  }, 120_000);

  it.each([
    ["a policy over 10,000 bytes in the store's namespace", () => `@id("huge")\npermit (principal, action in Action::"read", resource) when { ${Array.from({ length: 700 }, (_, i) => `context.device.edrScore != ${i}`).join(" && ")} };\n`, /huge.*bytes in the store's namespace; Verified Permissions accepts at most 10000/],
  ])("refuses %s before any write", async (_what, text, message) => {
    const dir = project();
    const store = await emptyStore();
    writeFileSync(join(dir, "policies/huge.cedar"), text());
    expect(readPolicyDir(join(dir, "policies")).ok).toBe(true); // a valid folder: only Verified Permissions would refuse it
    const before = writes();
    const r = await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ztpdp push: nothing was written: the policies would be refused by Verified Permissions");
    expect(r.stderr).toMatch(message);
    expect(writes()).toBe(before);
  }, 60_000);

  it("refuses a folder that does not validate, and a model outside the decision model's un-namespaced form, before any write", async () => {
    const dir = project();
    const store = await emptyStore();
    writeFileSync(join(dir, "policies/bad.cedar"), '@id("bad")\npermit (principal, action, resource) when { context.nope };\n');
    const before = writes();
    const r = await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("do not validate");
    expect(writes()).toBe(before);
  }, 60_000);

  it("pull names policies created outside push by their @id, else their store id; refuses a non-empty folder without --force", async () => {
    const dir = project();
    const store = await emptyStore();
    expect((await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir })).code).toBe(0);
    const client = sdkClient(avp);
    await client.send(new CreatePolicyCommand({ policyStoreId: store, definition: { static: { statement: '@id("console-made")\npermit (principal == ZtPdp::User::"root", action, resource);' } } }));
    const anonymous = await client.send(new CreatePolicyCommand({ policyStoreId: store, definition: { static: { statement: 'forbid (principal == ZtPdp::User::"mallory", action, resource);' } } }));
    const refused = await runCli(["pull", "policies", ...storeFlags(store)], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("already holds policies");
    const pulled = await runCli(["pull", "policies", "--force", ...storeFlags(store)], { cwd: dir });
    expect(pulled.code).toBe(0);
    const ids = Object.keys(meaning(join(dir, "policies")).policies);
    expect(ids).toEqual(expect.arrayContaining(["console-made", String(anonymous.policyId), "wiki-employees-read"]));
    expect(readFileSync(join(dir, "policies", `${anonymous.policyId}.cedar`), "utf8")).toBe(`@id("${anonymous.policyId}")\nforbid (principal == User::"mallory", action, resource);\n`);
  }, 120_000);

  it("needs a store: a usage error names the flag", async () => {
    const r = await runCli(["push"], { cwd: project() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no policy store: pass --policy-store-id");
  });
});

describe("ztpdp test --engine", () => {
  it.each(["local", "avp-remote", "avp-mirror"])("%s: every reference scenario passes (a store on a local endpoint when none is configured)", async (engine) => {
    const r = await runCli(["test", "--engine", engine, "--require-coverage"], { cwd: project() });
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed \(\d+ cases in 5 files; 7\/7 policies covered\)/m);
    expect(r.code).toBe(0);
    if (engine !== "local") expect(r.stderr).toMatch(new RegExp(`^ztpdp test: engine ${engine}: PS\\w+ on a local endpoint at http://127\\.0\\.0\\.1:\\d+`));
  }, 120_000);

  it("avp-remote on a configured store decides with that store: a store missing a policy fails its cases", async () => {
    const dir = project();
    const store = await emptyStore();
    expect((await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir })).code).toBe(0);
    rmSync(join(dir, "policies/status.cedar"));
    expect((await runCli(["push", "policies", ...storeFlags(store)], { cwd: dir })).code).toBe(0);
    cpSync(join(FIXTURE, "policies/status.cedar"), join(dir, "policies/status.cedar"));
    const r = await runCli(["test", "--engine", "avp-remote", ...storeFlags(store), "--filter", "status"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ /);
  }, 120_000);

  it("refuses an unknown engine", async () => {
    const r = await runCli(["test", "--engine", "opa"], { cwd: project() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown engine `opa` (engines: local, avp-remote, avp-mirror)");
  });
});
