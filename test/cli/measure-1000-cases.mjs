// Measures `ztpdp test` over 1,000+ cases (issue 4: "under 2 s on this machine"). A script, not a test:
// timings depend on the machine and its load, so no test asserts them.
//
//   node scripts/build.mjs && node test/cli/measure-1000-cases.mjs [runs=5]
//
// Builds two suites in a temp folder from the reference scenario files (policies/tests), repeated until
// there are at least 1,000 cases:
//   - "repeated": the reference cases as they are (callers repeat, as in real suites)
//   - "distinct": every case's token gets its own `jti` claim, so no signed token can be reused
// and runs the built CLI on each, printing wall time (process start to exit) and the CLI's own figure.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, stringify } from "yaml";

const root = fileURLToPath(new URL("../../", import.meta.url));
const runs = Number(process.argv[2] ?? 5);
const sources = readdirSync(join(root, "policies/tests")).filter((f) => f.endsWith(".yaml"));
const tmp = mkdtempSync(join(tmpdir(), "ztpdp-measure-"));
// A private copy of the bin (with its wasm): a concurrent build empties dist/ first.
cpSync(join(root, "dist/cli"), join(tmp, "cli"), { recursive: true });
const cli = join(tmp, "cli/ztpdp.mjs");

function buildSuite(name, distinct) {
  const dir = join(tmp, name);
  mkdirSync(dir);
  let total = 0;
  for (let copy = 0; total < 1000; copy++) {
    for (const file of sources) {
      const doc = parse(readFileSync(join(root, "policies/tests", file), "utf8"));
      doc.cases = doc.cases.map((c, i) => {
        const out = { ...c, name: `${c.name} #${copy}` };
        if (distinct) {
          const jti = `measure-${copy}-${file}-${i}`;
          const service = out.service ?? (out.user === undefined ? doc.defaults?.service : undefined);
          if (service !== undefined) {
            out.service = typeof service === "string" ? { clientId: service, claims: { jti } } : { ...service, claims: { ...service.claims, jti } };
          } else {
            out.user = { ...(out.user ?? {}), claims: { ...(out.user?.claims ?? {}), jti } };
          }
        }
        return out;
      });
      total += doc.cases.length;
      writeFileSync(join(dir, `${copy}-${file}`), stringify(doc));
    }
  }
  return { dir, total };
}

try {
  for (const [name, distinct] of [["repeated", false], ["distinct", true]]) {
    const { dir, total } = buildSuite(name, distinct);
    const walls = [];
    const own = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      let out;
      try {
        out = execFileSync(process.execPath, [cli, "test", join(root, "policies"), "--scenarios", dir, "--config", join(root, "config/pdp.yaml")], { encoding: "utf8", cwd: root });
      } catch (err) {
        throw new Error(`ztpdp test failed on the generated suite: ${String(err.stdout).trim().split("\n").at(-1)}`);
      }
      walls.push(Number(process.hrtime.bigint() - started) / 1e9);
      const summary = out.trim().split("\n").at(-1);
      own.push(Number(/in ([\d.]+) s$/.exec(summary)[1]));
      if (!summary.startsWith(`${total} passed, 0 failed`)) throw new Error(`unexpected result: ${summary}`);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `${name}: ${total} cases, ${runs} runs: wall median ${median(walls).toFixed(2)} s (min ${Math.min(...walls).toFixed(2)}, max ${Math.max(...walls).toFixed(2)}); ` +
        `CLI-reported median ${median(own).toFixed(2)} s`,
    );
  }
} finally {
  if (process.env.MEASURE_KEEP === "1") console.log(`suites kept in ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}
