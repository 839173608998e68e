/**
 * The closed vocabularies of the normalized posture. Cedar has no enums, so policies compare strings:
 * every string a policy can see comes from one of these lists, and anything else is rejected upstream.
 */

/** Largest value of a version component: a signed 32-bit int, so every component is a safe Cedar Long. */
export const MAX_VERSION_COMPONENT = 2_147_483_647;

/** Cap for every string that reaches Cedar or an audit record from a device claim. */
export const MAX_POSTURE_STRING = 128;

export const OS_FAMILIES = ["macos", "windows", "ios", "ipados", "android", "linux", "chromeos"] as const;
export type OsFamily = (typeof OS_FAMILIES)[number];
/** `unknown` is the least-trusted family: no baseline ever lists it, so it is never patched. */
export type OsFamilyOrUnknown = OsFamily | "unknown";

/** Ordered from most to least trusted; `unknown` is the least-trusted value (no signal). */
export const RISK_LEVELS = ["secure", "low", "medium", "high", "unknown"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export function isOsFamily(value: unknown): value is OsFamily {
  return typeof value === "string" && (OS_FAMILIES as readonly string[]).includes(value);
}
