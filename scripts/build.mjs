// Bundles each Lambda entry point in functions/ to dist/<name>/index.mjs (ESM, node22), with the Cedar wasm,
// the config and the policies next to it, and the CLI to dist/cli/ztpdp.mjs. One esbuild pass, no plugins
// beyond a stub for zod's locales (Powertools imports the `z` namespace, dragging ~260 KB of messages).
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
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

const common = {
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  banner,
  sourcemap: "linked",
  minify: true,
  keepNames: true,
  legalComments: "none",
  logLevel: "warning",
  // The SDK is needed only by the Verified Permissions engine; it is bundled so the zip is self-contained.
  external: [],
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const functionsDir = join(root, "functions");
const entries = existsSync(functionsDir) ? readdirSync(functionsDir).filter((f) => f.endsWith(".ts")) : [];
for (const file of entries) {
  const name = basename(file, ".ts");
  const outdir = join(dist, name);
  await build({ ...common, entryPoints: [join(functionsDir, file)], outfile: join(outdir, "index.mjs") });
  cpSync(wasm, join(outdir, "cedar_wasm_bg.wasm"));
  cpSync(join(root, "config"), join(outdir, "config"), { recursive: true });
  cpSync(join(root, "policies"), join(outdir, "policies"), { recursive: true, filter: (p) => !p.includes("/tests") });
}

const cli = join(root, "src/cli/main.ts");
if (existsSync(cli)) {
  await build({ ...common, minify: false, entryPoints: [cli], outfile: join(dist, "cli/ztpdp.mjs"), banner: { js: `#!/usr/bin/env node\n${banner.js}` } });
  cpSync(wasm, join(dist, "cli/cedar_wasm_bg.wasm"));
}
// The local stack (`npm start`) and the token minting command: development tools, never deployed.
for (const name of ["start", "token"]) {
  await build({ ...common, minify: false, sourcemap: false, entryPoints: [join(root, `src/dev/${name}.ts`)], outfile: join(dist, `dev/${name}.mjs`) });
}
console.log(`built ${entries.length} function(s)${existsSync(cli) ? ", the CLI" : ""} and the dev tools into dist/`);
