// Prints the results of `npm run bench -- --json FILE` as the Markdown tables BENCHMARKS.md shows.
//   node bench/markdown.mjs results.json
import { readFileSync } from "node:fs";

const r = JSON.parse(readFileSync(process.argv[2] ?? "", "utf8"));
const rows = [];
rows.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memory_gb} GB RAM, Node ${r.machine.node}, Linux ${r.machine.kernel}. Whole run: ${r.duration_s} s.`);
rows.push("");
rows.push("| measurement | p50 µs | p99 µs | p999 µs | ops/s | what |");
rows.push("|---|---:|---:|---:|---:|---|");
for (const m of r.measurements) rows.push(`| \`${m.name}\` | ${m.p50_us} | ${m.p99_us} | ${m.p999_us} | ${m.ops_s} | ${m.note ?? ""} |`);
rows.push("");
rows.push(`- Cold start, fork to first decision, median of ${r.cold_start.runs} fresh processes: **${r.cold_start_ms} ms** (samples: ${r.cold_start.samples_ms.join(", ")} ms; in-process part ${r.cold_start.in_process_ms} ms).`);
rows.push(`- Peak RSS: **${r.rss_mb} MB**. Every 10% of ${r.memory.decisions.toLocaleString("en")} decisions, RSS: ${r.memory.rss_mb_samples.join(", ")} MB; JS heap after GC: ${r.memory.heap_mb_samples.join(", ")} MB.`);
rows.push(`- Authorizer bundle (dist/rest-authorizer without source maps): ${r.bundle.files} files, ${r.bundle.raw_kb} KB, about **${r.bundle.zip_kb} KB zipped**.`);
rows.push("");
rows.push("| target | measured | |");
rows.push("|---|---:|---|");
for (const t of r.targets) rows.push(`| ${t.name} | ${t.value ?? "–"} ${t.unit} | ${t.met === null ? "n/a" : t.met ? "met" : "**missed**"} |`);
console.log(rows.join("\n"));
