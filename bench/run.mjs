// `npm run bench` (after `npm run build`): bundles the benchmark workers, runs one process per measurement
// group, prints a table and the targets of issue 5, and with `--json FILE` writes the results as JSON.
// Plain JS so it runs without a TypeScript loader; the workers are TypeScript bundled by esbuild.
import { fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".bench-out");
const args = process.argv.slice(2);
const jsonAt = args.indexOf("--json");
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
if (jsonAt >= 0 && !jsonFile) throw new Error("--json needs a file name");
const quick = args.includes("--quick");
// `--only decision,memory`: run just those groups (for iterating on one measurement).
const onlyAt = args.indexOf("--only");
const only = onlyAt >= 0 ? new Set(String(args[onlyAt + 1]).split(",")) : undefined;
const wanted = (group) => only === undefined || only.has(group);

if (!existsSync(join(root, "dist/rest-authorizer/index.mjs"))) throw new Error("dist/ is missing: run `npm run bench` (it builds first)");
rmSync(out, { recursive: true, force: true }); // chunk names change with their contents
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(root, "bench/worker.ts"), join(root, "bench/coldstart-probe.ts"), join(root, "bench/tp-coldstart-probe.ts"), join(root, "bench/dynamo-server.ts"), join(root, "bench/avp-endpoint.ts")],
  outdir: out,
  outExtension: { ".js": ".mjs" },
  // Splitting keeps each group's dependencies in its own chunk, loaded only by the process that runs it.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  packages: "external",
  logLevel: "warning",
});

const env = {
  ...process.env,
  ZTPDP_BENCH_ITERATIONS: quick ? "3000" : "20000",
  ZTPDP_BENCH_DECISIONS: quick ? "20000" : "100000",
  ZTPDP_BENCH_COLD_RUNS: quick ? "3" : "7",
  POWERTOOLS_LOG_LEVEL: "INFO",
};

const crashes = [];

/**
 * Run one group in a fresh process. A process killed by a signal is run again (twice at most): V8 12.4
 * (Node 22) occasionally aborts with "Fatal error ... unreachable code" in its deoptimizer under these
 * wasm-heavy loops (toolchain.md saw it on Node 20 too). Each crash is reported with the results.
 */
async function runGroup(group, arg) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runGroupOnce(group, arg);
    } catch (err) {
      if (!err.crashed || attempt >= 3) throw err;
      crashes.push({ group: `${group}${arg === undefined ? "" : ` ${arg}`}`, attempt, signal: err.signal });
      process.stderr.write(`  ${group}${arg === undefined ? "" : ` ${arg}`}: process crashed (${err.signal}), running it again\n`);
    }
  }
}

/** One attempt; stdout goes nowhere (audit lines are still serialized and written). */
function runGroupOnce(group, arg) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = fork(join(out, "worker.mjs"), [group, ...(arg === undefined ? [] : [String(arg)])], {
      env,
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      // The memory group forces a GC before each heap sample.
      execArgv: group === "memory" ? ["--expose-gc"] : [],
    });
    let answer;
    child.on("message", (m) => (answer = m));
    child.on("exit", (code, signal) => {
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (answer?.ok) {
        process.stderr.write(`  ${group}${arg === undefined ? "" : ` ${arg}`}: done in ${seconds} s\n`);
        resolve(answer.result);
        return;
      }
      const err = new Error(`group ${group} ${arg ?? ""} failed (exit ${code ?? signal}): ${answer?.error ?? "no answer"}`);
      err.crashed = signal !== null;
      err.signal = signal;
      reject(err);
    });
  });
}

const started = performance.now();
process.stderr.write("running benchmark groups (one process each):\n");
const measurements = [];
const optional = {};
if (wanted("decision")) measurements.push(...(await runGroup("decision")));
if (wanted("groups")) measurements.push(...(await runGroup("groups")));
if (wanted("scale")) for (const n of quick ? [20, 200] : [20, 200, 1000, 5000]) measurements.push(...(await runGroup("scale", n)));
if (wanted("avp")) measurements.push(...(await runGroup("avp")));
if (wanted("avp-engines")) for (const mode of ["remote", "mirror"]) measurements.push(...(await runGroup("avp-engines", mode)));
// The Verified Access trust provider's functions (tp.*): per-call latency and each function's cold start.
if (wanted("trust-provider")) measurements.push(...(await runGroup("trust-provider")));
if (wanted("cedarling")) {
  try {
    measurements.push(...(await runGroup("cedarling")));
  } catch (err) {
    optional.cedarling = String(err.message).split("\n")[0];
    process.stderr.write(`  cedarling: skipped (${optional.cedarling})\n`);
  }
}
const noMemory = { decisions: 0, rss_mb_samples: [NaN], heap_mb_samples: [NaN], rss_mb_peak: undefined };
const memory = wanted("memory") ? await runGroup("memory") : noMemory;
const cold = wanted("coldstart") ? await runGroup("coldstart") : { runs: 0, cold_start_ms: undefined, in_process_ms: undefined, samples_ms: [] };

const byName = new Map(measurements.map((m) => [m.name, m]));
const p50 = (name) => byName.get(name)?.p50_us;
const bundle = bundleSize(join(root, "dist/rest-authorizer"));
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memory_gb: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  kernel: release(),
};

const ratio = (a, b) => (a === undefined || b === undefined ? undefined : Math.round((a / b) * 100) / 100);
const targets = [
  target("decision.full p50 <= 100 us", p50("decision.full"), (v) => v <= 100, "us"),
  target("decision.full p99 <= 300 us", byName.get("decision.full")?.p99_us, (v) => v <= 300, "us"),
  target("p50@1000 <= 2 x p50@20", ratio(p50("decision.full@1000"), p50("decision.full@20")), (v) => v <= 2, "x"),
  target("decision.full p50 <= 1.0 x floor p50", ratio(p50("decision.full"), p50("floor")), (v) => v <= 1, "x"),
  target("peer.cedar-text@200 / decision.full@200 >= 20", ratio(p50("peer.cedar-text@200"), p50("decision.full@200")), (v) => v >= 20, "x"),
  target("peer.avp-sdk / decision.full >= 5", ratio(p50("peer.avp-sdk"), p50("decision.full")), (v) => v >= 5, "x"),
  target("decision.full.avp-mirror <= 1.2 x decision.full", ratio(p50("decision.full.avp-mirror"), p50("decision.full")), (v) => v <= 1.2, "x"),
  target("peer.cedarling.same-token / decision.full >= 3", ratio(p50("peer.cedarling.same-token"), p50("decision.full")), (v) => v >= 3, "x"),
  target("peer.cedarling.fresh-token / decision.full >= 15", ratio(p50("peer.cedarling.fresh-token"), p50("decision.full")), (v) => v >= 15, "x"),
  target("cold start <= 200 ms", cold.cold_start_ms, (v) => v <= 200, "ms"),
  target("peak RSS <= 150 MB", memory.rss_mb_peak, (v) => v <= 150, "MB"),
  target("heap after GC flat over 100k decisions (growth 20% -> 100% <= 1 MB)", round1(memory.heap_mb_samples.at(-1) - memory.heap_mb_samples[1]), (v) => v <= 1, "MB"),
  target("RSS flat over 100k decisions (growth 20% -> 100% <= 10 MB)", round1(memory.rss_mb_samples.at(-1) - memory.rss_mb_samples[1]), (v) => v <= 10, "MB"),
];

const report = {
  machine,
  measurements: measurements.map(({ name, p50_us, p99_us, p999_us, ops_s, iterations, note }) => ({ name, p50_us, p99_us, p999_us, ops_s, iterations, note })),
  cold_start_ms: cold.cold_start_ms,
  cold_start: cold,
  rss_mb: memory.rss_mb_peak,
  memory,
  bundle,
  targets,
  skipped: optional,
  crashes,
  duration_s: Math.round((performance.now() - started) / 1000),
};

printTable(report);
if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`wrote ${jsonFile}\n`);
}

function target(name, value, ok, unit) {
  const known = value !== undefined && !Number.isNaN(value);
  return { name, value: known ? value : undefined, unit, met: known ? ok(value) : null };
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

/** The authorizer's deployable files (no source maps) and their deflate size, which is what a zip holds. */
function bundleSize(dir) {
  let raw = 0;
  let zipped = 0;
  const files = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith(".map")) {
        const bytes = readFileSync(p);
        raw += bytes.length;
        zipped += deflateRawSync(bytes, { level: 9 }).length + 100; // + per-entry zip headers
        files.push(p.slice(dir.length + 1));
      }
    }
  };
  walk(dir);
  return { files: files.length, raw_kb: Math.round(raw / 1024), zip_kb: Math.round(zipped / 1024) };
}

function printTable(r) {
  const pad = (s, n) => String(s).padEnd(n);
  const num = (v, n) => String(v ?? "-").padStart(n);
  console.log(`\nMachine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GB, Node ${r.machine.node}, Linux ${r.machine.kernel}\n`);
  console.log(`${pad("measurement", 34)}${num("p50 us", 10)}${num("p99 us", 10)}${num("p999 us", 10)}${num("ops/s", 9)}  note`);
  for (const m of r.measurements) {
    console.log(`${pad(m.name, 34)}${num(m.p50_us, 10)}${num(m.p99_us, 10)}${num(m.p999_us, 10)}${num(m.ops_s, 9)}  ${m.note ?? ""}`);
  }
  console.log(`\ncold start (fork to first decision, median of ${r.cold_start.runs}): ${r.cold_start_ms} ms (in-process ${r.cold_start.in_process_ms} ms)`);
  console.log(`peak RSS: ${r.rss_mb} MB; every 10% of ${r.memory.decisions} decisions, RSS: ${r.memory.rss_mb_samples.join(", ")} MB`);
  console.log(`  heap after GC: ${r.memory.heap_mb_samples.join(", ")} MB`);
  console.log(`authorizer bundle: ${r.bundle.files} files, ${r.bundle.raw_kb} KB, ~${r.bundle.zip_kb} KB zipped`);
  console.log("\ntargets:");
  for (const t of r.targets) console.log(`  ${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${pad(t.name, 58)} ${t.value ?? "-"} ${t.unit}`);
  for (const c of r.crashes) console.log(`note: ${c.group} crashed on attempt ${c.attempt} (${c.signal}) and was run again`);
  console.log(`\n(${r.duration_s} s)`);
}
