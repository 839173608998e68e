// Prints the BENCHMARKS.md table of the trust-provider group (tp.*) from a `bench/run.mjs --json` file:
// node bench/tp-markdown.mjs out.json
import { readFileSync } from "node:fs";

const report = JSON.parse(readFileSync(process.argv[2], "utf8"));
const tp = report.measurements.filter((m) => m.name.startsWith("tp."));
const byName = new Map(tp.map((m) => [m.name, m]));
const ms = (us) => (us === undefined ? "-" : (us / 1000).toFixed(us < 10_000 ? 2 : 1));
console.log(`Machine: ${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}.\n`);
console.log("| measurement | p50 ms | p99 ms | ops/s | what |\n|---|---:|---:|---:|---|");
for (const m of tp.filter((m) => !m.name.startsWith("tp.coldstart."))) {
  console.log(`| \`${m.name}\` | ${ms(m.p50_us)} | ${ms(m.p99_us)} | ${m.ops_s} | ${m.note ?? ""} |`);
}
const floor = byName.get("tp.coldstart.floor")?.p50_us;
console.log("\n| cold start (fork to first answer) | median ms | slowest ms | minus the no-op floor |\n|---|---:|---:|---:|");
for (const m of tp.filter((m) => m.name.startsWith("tp.coldstart."))) {
  const extra = floor === undefined || m.name === "tp.coldstart.floor" ? "" : ms(m.p50_us - floor);
  console.log(`| \`${m.name.slice("tp.coldstart.".length)}\` | ${ms(m.p50_us)} | ${ms(m.p99_us)} | ${extra} |`);
}
const ratio = (a, b) => (byName.get(a) && byName.get(b) ? (byName.get(a).p50_us / byName.get(b).p50_us).toFixed(2) : "-");
console.log(`\nRatios (p50, same run): userinfo / GetItem floor ${ratio("tp.userinfo", "tp.floor.getitem")}x; refresh / floor ${ratio("tp.token.refresh", "tp.floor.getitem")}x; sign-in / floor ${ratio("tp.signin", "tp.floor.getitem")}x.`);
