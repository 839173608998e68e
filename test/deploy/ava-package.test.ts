import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import JSZip from "jszip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/local-config.js";
import { avaConfigFrom } from "./ava-config.js";
import { packagingProject, type PackagingProject } from "./project.js";

// `npm run package -- --stage prod --param config=<an AVA-mode config>`: each authorizer zip carries the
// config, the Verified Access folder it names (never policy.dir, never the scenarios) and the patch
// baseline; caching is refused for it. On a copy of the project with the tests' own Verified Access folder
// (test/ava/fixtures/group) where policies-ava/ would be.

const CONFIG = "config/ava.yaml";
let project: PackagingProject;

beforeAll(() => {
  project = packagingProject();
  cpSync(join(ROOT, "test/ava/fixtures/group"), join(project.root, "web-policies"), { recursive: true });
  const production = readFileSync(join(project.root, "config/examples/production.yaml"), "utf8").replaceAll("../../", "../");
  project.write(CONFIG, avaConfigFrom(production, "../web-policies", "  userContexts: { corp-idp: corp, verified-access: corp }\n  deviceContexts: { jamf: jamf }\n"));
});

afterAll(() => project?.cleanup());

describe("packaging an AVA-mode config", () => {
  it("puts the config, the Verified Access folder's policies and trust providers and the baseline into each authorizer zip, nothing else", async () => {
    const outDir = join(project.root, "out");
    const run = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--package", outDir]);
    expect(run.output).toContain(`authorizer zips carry ${CONFIG}`);
    expect(run.code).toBe(0);
    const zip = await JSZip.loadAsync(readFileSync(join(outDir, "restAuthorizer.zip")));
    const entries = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name.replace(/^dist\/rest-authorizer\//, "")).sort();
    expect(entries).toEqual([
      "cedar_wasm_bg.wasm",
      "config/ava.yaml",
      "index.mjs",
      "policies/patch-baseline.yaml",
      "web-policies/corp.cedar",
      "web-policies/devices.cedar",
      "web-policies/idc.cedar",
      "web-policies/network.cedar",
      "web-policies/verified-access.yaml",
      "web-policies/zt.cedar",
      "ztpdp-bundle.json",
    ]);
  }, 180_000);

  it("refuses authorizer caching: AVA decisions read inputs no cache key holds", async () => {
    process.env.ZTPDP_AUTHORIZER_TTL = "300";
    try {
      const run = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--package", join(project.root, "out-ttl")]);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain("ZTPDP_AUTHORIZER_TTL=300 is refused: the config uses AVA mode (verifiedAccess.policyDir) and AVA's signed header");
    } finally {
      delete process.env.ZTPDP_AUTHORIZER_TTL;
    }
  }, 180_000);
});
