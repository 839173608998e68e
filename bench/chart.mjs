// Draws BENCHMARKS-latency.svg from a results file written by `npm run bench -- --json FILE`:
// median latency against the number of policies, ours against the peers, both axes logarithmic.
//   node bench/chart.mjs results.json [out.svg]
import { readFileSync, writeFileSync } from "node:fs";

const [input, output = "BENCHMARKS-latency.svg"] = process.argv.slice(2);
if (!input) throw new Error("usage: node bench/chart.mjs results.json [out.svg]");
const report = JSON.parse(readFileSync(input, "utf8"));
const byName = new Map(report.measurements.map((m) => [m.name, m]));
const sizes = [20, 200, 1000, 5000].filter((n) => byName.has(`decision.full@${n}`));

const series = [
  { label: "ours: decision.full (REST authorizer, in process)", color: "#1b7f3b", points: sizes.map((n) => [n, byName.get(`decision.full@${n}`)?.p50_us]) },
  { label: "peer.cedar-text (cedar-wasm isAuthorized with policy text)", color: "#c0392b", points: sizes.map((n) => [n, byName.get(`peer.cedar-text@${n}`)?.p50_us]) },
];
const flat = [
  { label: "peer.avp-sdk (SDK + loopback HTTP, no evaluation)", color: "#8e44ad", value: byName.get("peer.avp-sdk")?.p50_us },
  { label: "peer.cedarling, same token (1 policy)", color: "#d68910", value: byName.get("peer.cedarling.same-token")?.p50_us },
  { label: "peer.cedarling, fresh token (1 policy)", color: "#7f6000", value: byName.get("peer.cedarling.fresh-token")?.p50_us },
  { label: "floor: 2 signatures + 1 statefulIsAuthorized (7 reference policies)", color: "#555555", value: byName.get("floor")?.p50_us },
].filter((f) => f.value !== undefined);

const W = 860, H = 520, left = 80, right = 20, top = 40, bottom = 190;
const plotW = W - left - right, plotH = H - top - bottom;
const values = [...series.flatMap((s) => s.points.map((p) => p[1])), ...flat.map((f) => f.value)].filter((v) => v > 0);
const yMin = 10 ** Math.floor(Math.log10(Math.min(...values)));
const yMax = 10 ** Math.ceil(Math.log10(Math.max(...values)));
const xMin = 10, xMax = 10_000;
const x = (n) => left + ((Math.log10(n) - Math.log10(xMin)) / (Math.log10(xMax) - Math.log10(xMin))) * plotW;
const y = (v) => top + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;
const fmt = (us) => (us >= 1000 ? `${Number((us / 1000).toPrecision(3))} ms` : `${Math.round(us)} µs`);

const parts = [];
parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Median decision latency vs number of policies (log-log, lower is better)</text>`);
for (let e = Math.log10(yMin); e <= Math.log10(yMax); e += 1) {
  const v = 10 ** e;
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
  parts.push(`<text x="${left - 8}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
}
for (const n of [10, 20, 100, 200, 1000, 5000, 10000]) {
  parts.push(`<line x1="${x(n)}" x2="${x(n)}" y1="${top}" y2="${top + plotH}" stroke="${sizes.includes(n) ? "#ccc" : "#eee"}"/>`);
  parts.push(`<text x="${x(n)}" y="${top + plotH + 16}" text-anchor="middle">${n}</text>`);
}
parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle">policies in the set</text>`);
parts.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
for (const f of flat) {
  parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(f.value)}" y2="${y(f.value)}" stroke="${f.color}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
}
for (const s of series) {
  const pts = s.points.filter((p) => p[1] > 0);
  parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2.5" points="${pts.map(([n, v]) => `${x(n)},${y(v)}`).join(" ")}"/>`);
  for (const [n, v] of pts) {
    parts.push(`<circle cx="${x(n)}" cy="${y(v)}" r="4" fill="${s.color}"/>`);
    parts.push(`<text x="${x(n) + 6}" y="${y(v) - 6}" fill="${s.color}">${fmt(v)}</text>`);
  }
}
let ly = top + plotH + 56;
for (const s of series) {
  parts.push(`<line x1="${left}" x2="${left + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2.5"/><text x="${left + 38}" y="${ly}">${s.label}</text>`);
  ly += 18;
}
for (const f of flat) {
  parts.push(`<line x1="${left}" x2="${left + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${f.color}" stroke-dasharray="6 4" stroke-width="1.5"/><text x="${left + 38}" y="${ly}">${f.label}: ${fmt(f.value)}</text>`);
  ly += 18;
}
parts.push(`<text x="${W - right}" y="${H - 8}" text-anchor="end" fill="#777">${report.machine.cpu}, ${report.machine.cores} cores, Node ${report.machine.node}</text>`);
parts.push("</svg>");
writeFileSync(output, `${parts.join("\n")}\n`);
console.error(`wrote ${output}`);
