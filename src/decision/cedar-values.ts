import { isIP } from "node:net";
import type { CedarValue } from "../policy/engine.js";

/**
 * The only constructors of Cedar values from request data. Each takes an already-typed JS value and
 * returns a Cedar JSON value that cannot be an entity reference or an extension call unless built here:
 * strings stay strings, so a claim holding `{"__entity": ...}` can never become one.
 */

// Cedar Longs are i64, but JS numbers are exact only to 2^53; clamp into the range both agree on.
const LONG_MIN = Number.MIN_SAFE_INTEGER;
const LONG_MAX = Number.MAX_SAFE_INTEGER;

export function cedarLong(value: number): number {
  if (!Number.isFinite(value)) return value > 0 ? LONG_MAX : LONG_MIN;
  return Math.min(LONG_MAX, Math.max(LONG_MIN, Math.trunc(value)));
}

export function cedarString(value: string | undefined, max: number, fallback = ""): string {
  if (value === undefined) return fallback;
  // Cedar (Rust strings) refuses lone UTF-16 surrogates, and cutting at `max` can split a pair: replace them
  // with U+FFFD rather than let one odd character turn into an engine failure.
  return (value.length > max ? value.slice(0, max) : value).toWellFormed();
}

export function cedarStringSet(values: readonly string[], max: number): string[] {
  return [...new Set(values.map((v) => cedarString(v, max)))];
}

/** Least-trusted address when the source is unknown or not an IP: in no corporate range. */
export const UNKNOWN_IP = "0.0.0.0";

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

export function cedarIp(address: string | undefined): { value: CedarValue; known: boolean } {
  // Strip an IPv6 zone id: Cedar's ip() rejects it, and the zone never matters for range checks.
  let candidate = address?.split("%")[0];
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d; Cedar only parses the plain IPv4 form,
  // which is also the form `isInRange(ip("10.0.0.0/8"))` must see.
  const mapped = candidate !== undefined ? IPV4_MAPPED.exec(candidate) : null;
  if (mapped) candidate = mapped[1];
  // Other IPv6 forms with an embedded IPv4 part (::a.b.c.d, long forms) are valid for Node, not for Cedar.
  const known = candidate !== undefined && isIP(candidate) !== 0 && !(isIP(candidate) === 6 && candidate.includes("."));
  return { value: { __extn: { fn: "ip", arg: known ? candidate! : UNKNOWN_IP } }, known };
}
