// Local Serverless Framework plugin (osls): what goes into the authorizer zips, whether the demo API comes
// along, and the offline checks of the generated template. The logic lives in src/deploy/ (bundled to
// dist/deploy/index.mjs by the build); this file only wires it to the framework's lifecycle.
// Lifecycle events: https://www.serverless.com/framework/docs/guides/plugins/custom-commands (osls keeps them).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const AUTHORIZER_HANDLER = /^dist\/([a-z0-9-]+-authorizer)\/index\.handler$/;
/** The Verified Access trust provider's functions also read the config: their zips carry it the same way. */
const CONFIG_BUNDLE_HANDLER = /^dist\/((?:[a-z0-9-]+-authorizer)|(?:tp-[a-z0-9-]+))\/index\.handler$/;
const DEMO_HANDLER = /^dist\/demo-api\//;
/** Written next to the zips: which config they carry (read by `deploy --package DIR`). */
const PACKAGE_MARKER = "ztpdp-package.json";

export default class ZtPdpPlugin {
  constructor(serverless, options, { log } = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = log ?? { notice: console.log, warning: console.warn };
    this.hooks = {
      initialize: () => this.selectFunctions(),
      "before:package:createDeploymentArtifacts": () => this.packageAuthorizers(),
      "before:package:function:package": () => this.packageAuthorizers(this.options.function),
      "after:package:finalize": () => this.validateTemplates(),
      "before:deploy:deploy": () => this.checkPrebuiltPackage(),
    };
  }

  get settings() {
    return this.serverless.service.custom?.ztpdp ?? {};
  }

  get command() {
    return (this.serverless.processedInput?.commands ?? []).join(" ");
  }

  fail(message) {
    throw new this.serverless.classes.Error(message);
  }

  async core() {
    const entry = join(this.serverless.serviceDir, "dist/deploy/index.mjs");
    if (!existsSync(entry)) this.fail("dist/ is missing or stale: run `npm run build` first (`npm run package` and `npm run deploy` do)");
    return import(pathToFileURL(entry).href);
  }

  /** The demo API is deployed only on request; the local stack always has it (offline emulates it). */
  selectFunctions() {
    const service = this.serverless.service;
    if (this.command.startsWith("offline")) {
      // `npm start` and the end-to-end tests: the local-only network emulation in front of the authorizers.
      if (String(this.settings.emulateNetwork) === "true") {
        for (const fn of Object.values(service.functions ?? {})) {
          const m = AUTHORIZER_HANDLER.exec(fn.handler ?? "");
          if (m) fn.handler = `dist/dev/offline/${m[1]}.handler`;
        }
      }
      return;
    }
    if (String(this.settings.demo) === "true") return;
    for (const [name, fn] of Object.entries(service.functions ?? {})) {
      if (DEMO_HANDLER.test(fn.handler ?? "")) delete service.functions[name];
    }
    // The HTTP API authorizer is declared at provider level for the demo's routes; without them nothing
    // uses it (attach it to your API: deploy/attach/http-api.yml).
    if (service.provider.httpApi?.authorizers) delete service.provider.httpApi.authorizers;
  }

  configBundles(only) {
    return Object.entries(this.serverless.service.functions ?? {})
      .map(([name, fn]) => ({ name, fn, bundle: CONFIG_BUNDLE_HANDLER.exec(fn.handler ?? "")?.[1] }))
      .filter((f) => f.bundle !== undefined && (only === undefined || f.name === only));
  }

  /** Each authorizer (and trust provider) zip: its bundle from dist/ plus exactly the chosen config and the files it names. */
  async packageAuthorizers(only) {
    const { planPackage, stageBundle, BundleError, PackageRefused } = await this.core();
    const root = this.serverless.serviceDir;
    let plan;
    try {
      plan = planPackage({ root, command: this.command, stage: this.serverless.service.provider.stage, configParam: String(this.settings.config ?? "") });
    } catch (err) {
      if (err instanceof PackageRefused) this.fail(err.message);
      throw err;
    }
    if (plan.notice) this.log.notice(`zt-pdp: ${plan.notice}`);
    // The packaged functions read the config they carry; a path from the packager's shell means nothing there.
    const env = this.serverless.service.provider.environment ?? {};
    if (env.ZTPDP_CONFIG) this.log.warning(`zt-pdp: ZTPDP_CONFIG (${env.ZTPDP_CONFIG}) is for the local stack; the deployed functions use the packaged config`);
    delete env.ZTPDP_CONFIG;

    const packager = this.serverless.pluginManager.plugins.find((p) => p.constructor?.name === "Package" && typeof p.zipFiles === "function");
    if (!packager) this.fail("zt-pdp: the framework's packager was not found (osls 4 expected)");
    const staging = mkdtempSync(join(tmpdir(), "ztpdp-package-"));
    try {
      let manifest;
      for (const { name, fn, bundle } of this.configBundles(only)) {
        const built = join(root, "dist", bundle);
        if (!existsSync(join(built, "index.mjs"))) this.fail(`dist/${bundle}/index.mjs is missing: run \`npm run build\` first`);
        const outDir = join(staging, name, "dist", bundle);
        // The code and the Cedar wasm from the build; never the config the build staged for `npm start`.
        for (const file of ["index.mjs", "cedar_wasm_bg.wasm"]) if (existsSync(join(built, file))) cpSync(join(built, file), join(outDir, file));
        try {
          // The trust provider reads the config and the patch baseline, never the policies.
          manifest = stageBundle({ root, config: plan.config, outDir, policies: !bundle.startsWith("tp-") });
        } catch (err) {
          if (err instanceof BundleError) this.fail(err.message);
          throw err;
        }
        const files = walk(join(staging, name));
        fn.package = { ...(fn.package ?? {}), artifact: await packager.zipFiles(files, `${name}.zip`, join(staging, name)) };
      }
      if (manifest) {
        this.log.notice(`zt-pdp: authorizer zips carry ${manifest.config} (sha256 ${manifest.configSha256.slice(0, 12)}…) and the files it names`);
        const marker = join(root, ".serverless", PACKAGE_MARKER);
        writeFileSync(marker, `${JSON.stringify({ config: manifest.config, configSha256: manifest.configSha256, development: plan.development }, null, 2)}\n`);
      }
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }

  /** `serverless deploy --package DIR` skips packaging: the package must say it carries a production config. */
  checkPrebuiltPackage() {
    const dir = this.options.package ?? this.serverless.service.package?.path;
    if (!dir) return;
    let marker;
    try {
      marker = JSON.parse(readFileSync(resolve(this.serverless.serviceDir, dir, PACKAGE_MARKER), "utf8"));
    } catch {
      this.fail(`zt-pdp: ${dir} was not packaged by this project's plugin (${PACKAGE_MARKER} missing): package with --param config=FILE`);
    }
    if (marker.development) this.fail(`zt-pdp: ${dir} carries the development config ${marker.config}: package again with --param config=FILE`);
  }

  /** The generated template and the attach-to-your-API snippets, against the CloudFormation resource specification. */
  async validateTemplates() {
    const { validateProjectTemplates } = await this.core();
    // As written to disk: the framework leaves `undefined` properties in memory that JSON drops.
    const template = JSON.parse(JSON.stringify(this.serverless.service.provider.compiledCloudFormationTemplate));
    const problems = validateProjectTemplates(this.serverless.serviceDir, template);
    if (problems.length > 0) this.fail(`zt-pdp: CloudFormation validation failed:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.log.notice("zt-pdp: the template and deploy/attach/*.yml are valid against the CloudFormation resource specification");
  }
}

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}
