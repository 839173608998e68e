import { isPatched } from "../../posture/baseline.js";
import { parseOsVersion, type OsVersion } from "../../posture/os-version.js";
import { postureRecordSchema } from "../../posture/record-schema.js";
import { LEAST_TRUSTED_POSTURE, type PostureRecord } from "../../posture/types.js";
import { OS_FAMILIES, RISK_LEVELS } from "../../posture/vocabulary.js";
import type { ResolveContext } from "./case.js";
import { describe, type Checker } from "./check.js";
import type { Path } from "./source.js";

const POSTURE_KEYS = ["verified", "provider", "managed", "compliant", "os", "diskEncrypted", "edrScore", "riskLevel", "ageSeconds"];

/**
 * A normalized posture, written partially: what is not stated keeps its least-trusted value, except
 * `verified` (true: the case says a provider vouched for this). `os.patched` follows from the real patch
 * baseline when a version is given; stating a `patched` the baseline contradicts is an error.
 */
export function readPosture(value: unknown, path: Path, ctx: ResolveContext, check: Checker): PostureRecord | undefined {
  const p = check.object(value, path, POSTURE_KEYS);
  if (!p) return undefined;
  const before = check.issues.length;
  const age = check.integer(p.ageSeconds, [...path, "ageSeconds"], 0, 2_147_483_647) ?? 0;
  const record: PostureRecord = {
    ...structuredClone(LEAST_TRUSTED_POSTURE),
    verified: check.boolean(p.verified, [...path, "verified"], true),
    provider: check.optionalString(p.provider, [...path, "provider"]) ?? "scenario",
    managed: check.boolean(p.managed, [...path, "managed"], false),
    compliant: check.boolean(p.compliant, [...path, "compliant"], false),
    diskEncrypted: check.boolean(p.diskEncrypted, [...path, "diskEncrypted"], false),
    edrScore: check.integer(p.edrScore, [...path, "edrScore"], 0, 100) ?? 0,
    riskLevel: p.riskLevel === undefined ? "unknown" : (check.oneOf(p.riskLevel, [...path, "riskLevel"], RISK_LEVELS) ?? "unknown"),
    observedAt: Math.max(0, ctx.nowSeconds - age),
    ageSeconds: age,
  };
  if (p.os !== undefined) {
    const at = [...path, "os"];
    const os = check.object(p.os, at, ["family", "version", "patched"]);
    if (os) {
      const family = os.family === undefined ? "unknown" : check.oneOf(os.family, [...at, "family"], [...OS_FAMILIES, "unknown"] as const);
      record.os.family = family ?? "unknown";
      if (os.version !== undefined) {
        const version = readVersion(os.version, [...at, "version"], check);
        if (version) {
          Object.assign(record.os, { version: version.text, major: version.major, minor: version.minor, patch: version.patch });
          record.os.patched = isPatched(ctx.baseline, record.os.family, version);
        }
      }
      if (os.patched !== undefined) {
        const stated = check.boolean(os.patched, [...at, "patched"], false);
        if (os.version !== undefined && stated !== record.os.patched) {
          check.fail([...at, "patched"], `\`patched: ${stated}\` contradicts the patch baseline for ${record.os.family} ${String(os.version)} (it says ${record.os.patched}); drop \`patched\` or the version`);
        }
        record.os.patched = stated;
      }
    }
  }
  if (check.issues.length > before) return undefined;
  // The production gate every normalized posture passes before Cedar (defence in depth, same schema).
  const final = postureRecordSchema.safeParse(record);
  if (!final.success) return check.fail(path, `not a valid posture: ${final.error.issues.map((i) => i.path.join(".")).join(", ")}`);
  return record;
}

/** "bad version string": the same parser as the posture mappers, with the YAML number trap called out. */
function readVersion(value: unknown, path: Path, check: Checker): OsVersion | undefined {
  if (typeof value === "number") {
    return check.fail(path, `expected a quoted version string such as "15.7.2", got the number ${value} (quote it: YAML reads 14.10 as 14.1)`);
  }
  if (typeof value !== "string") return check.fail(path, `expected a version string such as "15.7.2", got ${describe(value)}`);
  const parsed = parseOsVersion(value);
  if (!parsed.ok) return check.fail(path, `bad version string \`${value}\`: ${parsed.message}`);
  return parsed.version;
}

