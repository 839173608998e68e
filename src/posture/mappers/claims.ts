import { z } from "zod";
import { parseOsVersion } from "../os-version.js";
import { safeText } from "../text.js";
import { MAX_POSTURE_STRING, type OsFamilyOrUnknown } from "../vocabulary.js";
import type { MapperFailure } from "./types.js";

/**
 * Shared claim building blocks. zod is strict by default in the ways that matter here: `"true"` is not
 * a boolean, `"52"` is not a number, `1.5` is not an int, and no schema below coerces. Object schemas
 * strip unknown keys, and mappers build their output field by field, so no raw claim object (for
 * example a `{"__entity": ...}` or `{"__extn": ...}` planted in a claim) can ever reach Cedar.
 */

/** A version string, parsed into Long components; `latest`, `14.x` and friends are issues, not guesses. */
export const versionClaim = z
  .string()
  .max(MAX_POSTURE_STRING)
  .transform((text, ctx) => {
    const parsed = parseOsVersion(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }
    return parsed.version;
  });

/** Integer score in a closed range (zod's `int()` also rejects NaN, Infinity and unsafe integers). */
export const scoreClaim = (min: number, max: number) => z.number().int().min(min).max(max);

/** A top-level payload must be a plain JSON object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Turns a zod error into one failure. The message names claim paths and the expectation, never the
 * received value (it may be long or hostile); path segments are escaped anyway, since an unrecognized
 * key is attacker-chosen text.
 */
export function claimsFailure(provider: string, error: z.ZodError): MapperFailure {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length === 0 ? "(payload)" : issue.path.map((p) => safeText(String(p), 40)).join(".");
    const text = issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
    return `claim \`${path}\`: ${safeText(text, 160)}`;
  });
  const more = error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : "";
  return { ok: false, code: "device_claims_invalid", message: `${provider} posture rejected: ${parts.join("; ")}${more}` };
}

export function failure(message: string): MapperFailure {
  return { ok: false, code: "device_claims_invalid", message };
}

/**
 * An OS platform name from a closed alias table (compared case-insensitively: case carries no trust),
 * mapped to a family. An unlisted name is an issue, never `unknown`-by-default, so a provider that starts
 * sending a new platform is noticed instead of silently judged against the wrong baseline.
 */
export function platformClaim(aliases: ReadonlyMap<string, OsFamilyOrUnknown>) {
  const expected = [...aliases.keys()].join(", ");
  return z
    .string()
    .max(MAX_POSTURE_STRING)
    .transform((text, ctx) => {
      const family = aliases.get(text.toLowerCase());
      if (family === undefined) {
        ctx.addIssue({ code: "custom", message: `unknown platform (expected one of ${expected})` });
        return z.NEVER;
      }
      return family;
    });
}
