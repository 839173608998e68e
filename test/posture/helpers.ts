import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseBaseline, type PatchBaseline } from "../../src/posture/baseline.js";

/** Payloads shaped like the ones AWS Verified Access documents per trust provider (see fixtures/). */
export function fixture(name: "jamf" | "crowdstrike" | "jumpcloud" | "generic"): Record<string, unknown> {
  const url = new URL(`./fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), "utf8")) as Record<string, unknown>;
}

/** `fixture` with some claims replaced (or removed with `undefined`). */
export function withClaims(name: Parameters<typeof fixture>[0], changes: Record<string, unknown>): Record<string, unknown> {
  const payload = fixture(name);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete payload[key];
    else payload[key] = value;
  }
  return payload;
}

/** A fixed baseline for tests, independent of the shipped policies/patch-baseline.yaml. */
export const TEST_BASELINE: PatchBaseline = parseBaseline(
  [
    "version: 1",
    "minimum:",
    '  macos: "15.6"',
    '  windows: "10.0.26100"',
    '  ios: "18.6"',
    '  ipados: "18.6"',
    '  android: "14"',
    '  linux: "6.1"',
    '  chromeos: "138.0.7204"',
  ].join("\n"),
  "test-baseline.yaml",
);

/** Every key of a JSON-like value, at any depth. */
export function allKeys(value: unknown): string[] {
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...allKeys(v)]);
}
