// Bundles each Lambda entry point in functions/ to dist/<name>/index.mjs (ESM, node22), with the Cedar wasm,
// the config and the policies next to it, and the CLI to dist/cli/ztpdp.mjs. One esbuild pass, no plugins
// beyond a stub for zod's locales (Powertools imports the `z` namespace, dragging ~260 KB of messages).
// Each function's policies are validated here once and the result stored beside them, so a cold start
// skips strict validation when the sources are unchanged (src/policy/precompiled.ts).
import { build } from "esbuild";
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

// The loader and the precompiled-set writer, bundled for this script (it cannot import TypeScript).
const precompilerFile = join(root, "node_modules/.cache/ztpdp-precompile.mjs");
await build({
  entryPoints: [join(root, "src/policy/precompile-dir.ts")],
  outfile: precompilerFile,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  packages: "external",
  logLevel: "warning",
});
const { precompilePolicyDir } = await import(precompilerFile);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const functionsDir = join(root, "functions");
const entries = existsSync(functionsDir) ? readdirSync(functionsDir).filter((f) => f.endsWith(".ts")) : [];
for (const file of entries) {
  const name = basename(file, ".ts");
  const outdir = join(dist, name);
  await build({ ...common, entryPoints: [join(functionsDir, file)], outfile: join(outdir, "index.mjs") });
  // The Verified Access trust provider (tp-*) reads the config and, for posture, the patch baseline; no Cedar.
  if (name.startsWith("tp-")) {
    cpSync(join(root, "config"), join(outdir, "config"), { recursive: true });
    cpSync(join(root, "policies/patch-baseline.yaml"), join(outdir, "policies/patch-baseline.yaml"));
    continue;
  }
  // Only the authorizers decide; the demo API ships its bundle alone.
  if (!name.endsWith("-authorizer")) continue;
  cpSync(wasm, join(outdir, "cedar_wasm_bg.wasm"));
  cpSync(join(root, "config"), join(outdir, "config"), { recursive: true });
  cpSync(join(root, "policies"), join(outdir, "policies"), { recursive: true, filter: (p) => !p.includes("/tests") });
  precompilePolicyDir(join(outdir, "policies"));
}

const cli = join(root, "src/cli/main.ts");
if (existsSync(cli)) {
  await build({ ...common, minify: false, entryPoints: [cli], outfile: join(dist, "cli/ztpdp.mjs"), banner: { js: `#!/usr/bin/env node\n${banner.js}` } });
  cpSync(wasm, join(dist, "cli/cedar_wasm_bg.wasm"));
  chmodSync(join(dist, "cli/ztpdp.mjs"), 0o755); // `npx ztpdp` executes the bin directly
}
// The local stack (`npm start`) and the token minting command: development tools, never deployed.
for (const name of ["start", "token", "ava"]) {
  // dynalite (the local DynamoDB) loads a native LevelDB binding by path, and cedar-wasm its .wasm file:
  // both stay in node_modules (dev tools run from the project folder).
  await build({ ...common, minify: false, sourcemap: false, external: ["dynalite", "@cedar-policy/cedar-wasm"], entryPoints: [join(root, `src/dev/${name}.ts`)], outfile: join(dist, `dev/${name}.mjs`) });
}
// `npm start` with ZTPDP_ENGINE=avp-* runs a local Verified Permissions endpoint, which evaluates with Cedar.
cpSync(wasm, join(dist, "dev/cedar_wasm_bg.wasm"));
console.log(`built ${entries.length} function(s)${existsSync(cli) ? ", the CLI" : ""} and the dev tools into dist/`);
