// Bundles each Lambda entry point in functions/ to dist/<name>/index.mjs (ESM, node22), the CLI to
// dist/cli/ztpdp.mjs, the dev tools to dist/dev/ and the packaging code to dist/deploy/. One esbuild pass,
// no plugins beyond a stub for zod's locales (Powertools imports the `z` namespace, dragging ~260 KB of
// messages). Then each authorizer gets the Cedar wasm and the development config with the files it names
// (src/deploy/stage.ts), its policies validated once here so a cold start skips strict validation when
// the sources are unchanged (src/policy/precompiled.ts). `npm run package` re-stages the zips with the
// operator's config. A policy or config problem is reported as `policies/<file>:line:col: …` after the
// CLI is built, so `npx ztpdp validate` is there to investigate.
import { build } from "esbuild";
import { chmodSync, cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const wasm = join(root, "node_modules/@cedar-policy/cedar-wasm/nodejs/cedar_wasm_bg.wasm");

// ESM bundles of CJS dependencies need require/__filename/__dirname defined (toolchain.md).
const banner = {
  js: [
    "import { createRequire as __ztCreateRequire } from 'node:module';",
    "import { fileURLToPath as __ztFileURLToPath } from 'node:url';",
    "import { dirname as __ztDirname } from 'node:path';",
    "const require = __ztCreateRequire(import.meta.url);",
    "const __filename = __ztFileURLToPath(import.meta.url);",
    "const __dirname = __ztDirname(__filename);",
  ].join("\n"),
};

// zod's `locales` namespace: 40-odd translations of its error messages. Nothing here uses them (the
// English default is imported separately by zod itself), but `export * as locales` keeps them all alive.
const stubZodLocales = {
  name: "stub-zod-locales",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join("zod", "v4", "classic")}`) ? { path: "zod-locales-stub", namespace: "stub" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

// `import ... from "node:http"` in an ES module makes Node build the module's ESM facade, which reads
// every export, including the lazy getters that load undici (fetch, WebSocket): ~30 ms of cold start
// for code the authorizer never runs. Routing the http/https imports of bundled code through `require`
// (the banner's createRequire) reads only what is used.
const requireHttpModules = {
  name: "require-http-modules",
  setup(b) {
    b.onResolve({ filter: /^(node:)?https?$/ }, (args) =>
      // The shim's own require() must reach the real builtin, not the shim again.
      args.namespace === "cjs-builtin" ? undefined : { path: args.path.replace(/^node:/, ""), namespace: "cjs-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "cjs-builtin" }, (args) => ({ contents: `module.exports = require("node:${args.path}");`, loader: "js" }));
  },
};

const common = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  banner,
  sourcemap: "linked",
  // ZTPDP_BUILD_MINIFY=false keeps function names readable in CPU profiles (see BENCHMARKS.md).
  minify: process.env.ZTPDP_BUILD_MINIFY !== "false",
  keepNames: true,
  legalComments: "none",
  logLevel: "warning",
  // The SDK is needed only by the Verified Permissions engine; it is bundled so the zip is self-contained.
  external: [],
  plugins: [stubZodLocales, requireHttpModules],
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The CLI first: whatever fails later, `npx ztpdp validate` is there to investigate it.
const cli = join(root, "src/cli/main.ts");
await build({ ...common, minify: false, entryPoints: [cli], outfile: join(dist, "cli/ztpdp.mjs"), banner: { js: `#!/usr/bin/env node\n${banner.js}` } });
cpSync(wasm, join(dist, "cli/cedar_wasm_bg.wasm"));
chmodSync(join(dist, "cli/ztpdp.mjs"), 0o755); // `npx ztpdp` executes the bin directly
// The local stack (`npm start`) and the token minting command: development tools, never deployed.
for (const name of ["start", "token", "ava"]) {
  // dynalite (the local DynamoDB) loads a native LevelDB binding by path, and cedar-wasm its .wasm file:
  // both stay in node_modules (dev tools run from the project folder).
  await build({ ...common, minify: false, sourcemap: false, external: ["dynalite", "@cedar-policy/cedar-wasm"], entryPoints: [join(root, `src/dev/${name}.ts`)], outfile: join(dist, `dev/${name}.mjs`) });
}
// Config staging, used below and by the Serverless plugin (deploy/serverless-ztpdp.mjs) when packaging.
await build({ ...common, minify: false, sourcemap: false, packages: "external", entryPoints: [join(root, "src/deploy/index.ts")], outfile: join(dist, "deploy/index.mjs") });
const { stageBundle, BundleError } = await import(pathToFileURL(join(dist, "deploy/index.mjs")).href);

const functionsDir = join(root, "functions");
const entries = readdirSync(functionsDir).filter((f) => f.endsWith(".ts"));
const authorizers = [];
const trustProvider = [];
for (const file of entries) {
  const name = basename(file, ".ts");
  await build({ ...common, entryPoints: [join(functionsDir, file)], outfile: join(dist, name, "index.mjs") });
  // Only the authorizers decide; the Verified Access trust provider (tp-*) reads the config and the patch
  // baseline, no Cedar; the demo API ships its bundle alone.
  if (name.endsWith("-authorizer")) authorizers.push(name);
  if (name.startsWith("tp-")) trustProvider.push(name);
}
for (const name of [...authorizers, ...trustProvider]) {
  if (authorizers.includes(name)) cpSync(wasm, join(dist, name, "cedar_wasm_bg.wasm"));
  try {
    // The development config, for `npm start`; packaging replaces it with the operator's (README "Deploying").
    stageBundle({ root, config: "config/pdp.yaml", outDir: join(dist, name), policies: authorizers.includes(name) });
  } catch (err) {
    if (!(err instanceof BundleError)) throw err;
    console.error(`build: ${err.message}\n\nThe authorizer bundles are incomplete; the CLI is built: \`npx ztpdp validate\` shows the details.`);
    process.exit(1);
  }
}
// `npm start` only (--param emulateNetwork=true): each authorizer behind the X-Ztpdp-Emulate-* headers
// (src/dev/network-emulation.ts). Outside dist/<function>/, so no zip ever holds them.
await build({ ...common, minify: false, sourcemap: false, entryPoints: [join(root, "src/dev/network-emulation.ts")], outfile: join(dist, "dev/network-emulation.mjs") });
mkdirSync(join(dist, "dev/offline"), { recursive: true });
for (const name of authorizers) {
  writeFileSync(
    join(dist, "dev/offline", `${name}.mjs`),
    `// Generated by scripts/build.mjs: the local stack's ${name}, with network emulation. Never deployed.\n` +
      `import { handler as inner } from "../../${name}/index.mjs";\nimport { withNetworkEmulation } from "../network-emulation.mjs";\n\n` +
      "export const handler = withNetworkEmulation(inner);\n",
  );
}
// `npm start` with ZTPDP_ENGINE=avp-* runs a local Verified Permissions endpoint, which evaluates with Cedar.
cpSync(wasm, join(dist, "dev/cedar_wasm_bg.wasm"));
console.log(`built ${entries.length} function(s), the CLI, the dev tools and the packaging code into dist/`);
