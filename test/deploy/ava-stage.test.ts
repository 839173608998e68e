import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BundleError, stageBundle } from "../../src/deploy/stage.js";
import { FIXTURE_PROJECT } from "../support/fixture-project.js";
import { ROOT } from "../support/local-config.js";
import { avaConfigFrom } from "./ava-config.js";

// AVA mode (`verifiedAccess.policyDir`) in a bundle: the zip carries the named config, the Verified Access
// folder it names (its *.cedar and verified-access.yaml, no scenarios) and the patch baseline, and not
// policy.dir, which AVA-mode authorizers never read. On a copy of the test project, with the tests' own
// Verified Access folder (test/ava/fixtures/group) in place of policies-ava/.

const root = mkdtempSync(join(tmpdir(), "ztpdp-ava-stage-"));
cpSync(join(FIXTURE_PROJECT, "config"), join(root, "config"), { recursive: true });
mkdirSync(join(root, "config/examples"), { recursive: true });
cpSync(join(FIXTURE_PROJECT, "policies"), join(root, "policies"), { recursive: true });
cpSync(join(ROOT, "test/ava/fixtures/group"), join(root, "web-policies"), { recursive: true });
writeFileSync(join(root, "web-policies/NOTES.md"), "not a policy file\n");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeConfig(name: string, mappings: string): string {
  const production = readFileSync(join(ROOT, "config/examples/production.yaml"), "utf8");
  writeFileSync(join(root, `config/examples/${name}`), avaConfigFrom(production, "../../web-policies", mappings));
  return `config/examples/${name}`;
}

describe("stageBundle in AVA mode", () => {
  it("ships the config, the Verified Access folder's policies and trust providers, the baseline, and nothing else", () => {
    const config = writeConfig("ava.yaml", "  userContexts: { corp-idp: corp, verified-access: corp }\n  deviceContexts: { jamf: jamf }\n");
    const manifest = stageBundle({ root, config, outDir: mkdtempSync(join(tmpdir(), "ztpdp-out-")) });
    expect(manifest.files).toEqual([
      "config/examples/ava.yaml",
      "policies/patch-baseline.yaml",
      "web-policies/corp.cedar",
      "web-policies/devices.cedar",
      "web-policies/idc.cedar",
      "web-policies/network.cedar",
      "web-policies/verified-access.yaml",
      "web-policies/zt.cedar",
    ]);
  });

  it("checks the folder and the context mappings as a cold start would, every problem listed", () => {
    const config = writeConfig("ava-bad.yaml", "  userContexts: { nobody: corp, verified-access: jamf }\n");
    writeFileSync(join(root, "web-policies/zz-scope.cedar"), '@id("scoped")\npermit (principal == User::"a", action, resource);\n');
    try {
      stageBundle({ root, config, outDir: mkdtempSync(join(tmpdir(), "ztpdp-out-")) });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(BundleError);
      expect((err as BundleError).problems).toEqual([expect.stringMatching(/^web-policies\/zz-scope\.cedar:1:1: policy `scoped` constrains its principal/)]);
    } finally {
      rmSync(join(root, "web-policies/zz-scope.cedar"));
    }
    expect(() => stageBundle({ root, config, outDir: mkdtempSync(join(tmpdir(), "ztpdp-out-")) })).toThrow(
      /config\/examples\/ava-bad\.yaml: verifiedAccess\.userContexts\.nobody: no issuer is named `nobody`[\s\S]*verifiedAccess\.userContexts\.verified-access: `jamf` is not a user trust provider/,
    );
  });
});
