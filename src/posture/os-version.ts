import { MAX_POSTURE_STRING, MAX_VERSION_COMPONENT } from "./vocabulary.js";

/**
 * An OS version as Cedar can compare it: Cedar has no version type and no float, so policies get Long
 * components (and a precomputed `patched` boolean) instead of a string they might compare lexically.
 */
export interface OsVersion {
  major: number;
  minor: number;
  patch: number;
  /**
   * Fourth component (Windows UBR, e.g. `10.0.26100.4946`), 0 when absent. It takes part in comparisons
   * because Windows monthly security updates only change this number.
   */
  build: number;
  /** Canonical text: at least three components, four when a build was given (`17.4` → `17.4.0`). */
  text: string;
}

export type OsVersionResult = { ok: true; version: OsVersion } | { ok: false; message: string };

/** One to ten ASCII digits, no sign, no leading zero (one spelling per number), no whitespace. */
const COMPONENT = /^(0|[1-9][0-9]{0,9})$/;

/**
 * Parses `14.5.0`, `10.0.22631`, `17.4`, `14`, `10.0.26100.4946`. Rejects anything else (empty, `latest`,
 * `14.x`, `-1`, `1e3`, more than four components, a component above 2^31-1) instead of guessing: a
 * version we cannot read must never be taken for a patched one. Messages never echo the input, so a
 * caller decides whether the value is safe to log.
 */
export function parseOsVersion(input: string): OsVersionResult {
  if (typeof input !== "string") return { ok: false, message: "version is not a string" };
  if (input.length === 0) return { ok: false, message: "version is empty" };
  if (input.length > MAX_POSTURE_STRING) return { ok: false, message: `version is longer than ${MAX_POSTURE_STRING} characters` };
  const parts = input.split(".");
  if (parts.length > 4) return { ok: false, message: "version has more than 4 components" };
  const numbers: number[] = [];
  for (const part of parts) {
    if (!COMPONENT.test(part)) {
      return { ok: false, message: "version components must be non-negative decimal integers without leading zeros" };
    }
    const n = Number(part);
    if (n > MAX_VERSION_COMPONENT) return { ok: false, message: `version component exceeds ${MAX_VERSION_COMPONENT}` };
    numbers.push(n);
  }
  const [major = 0, minor = 0, patch = 0, build] = numbers;
  const text = build === undefined ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch}.${build}`;
  return { ok: true, version: { major, minor, patch, build: build ?? 0, text } };
}

/** Component-wise comparison (never lexical: `14.10` is newer than `14.9`). */
export function compareVersions(a: OsVersion, b: OsVersion): -1 | 0 | 1 {
  const pairs: [number, number][] = [
    [a.major, b.major],
    [a.minor, b.minor],
    [a.patch, b.patch],
    [a.build, b.build],
  ];
  for (const [x, y] of pairs) {
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}
