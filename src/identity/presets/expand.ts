import type { PresetName } from "../../config/issuer-fields.js";
import { PRESETS } from "./registry.js";

/**
 * Preset expansion, before the config is validated: an issuer entry with `preset: <name>` and `tenant`
 * values gets the preset's fields, then the entry's own fields on top (an entry overrides any preset value;
 * `principal` and `services` merge key by key). The result is an ordinary issuer entry, validated like
 * any other, and is what `ztpdp config` prints.
 *
 * Problems are returned with their config path (`issuers.0.tenant.userPoolId: ...`), never thrown.
 */
export function expandIssuerPresets(raw: unknown): { doc: unknown; problems: string[]; failed: Set<number> } {
  const problems: string[] = [];
  const failed = new Set<number>();
  if (!isRecord(raw) || !Array.isArray(raw.issuers)) return { doc: raw, problems, failed };
  const issuers = raw.issuers.map((entry: unknown, i: number) => {
    if (!isRecord(entry) || entry.preset === undefined) return entry;
    const name = entry.preset;
    if (typeof name !== "string" || !Object.hasOwn(PRESETS, name)) return entry; // the schema names the valid ones
    const where = `issuers.${i}`;
    const before = problems.length;
    const expanded = expandOne(name as PresetName, entry, where, problems);
    if (problems.length > before) failed.add(i);
    return expanded;
  });
  return { doc: { ...raw, issuers }, problems, failed };
}

function expandOne(name: PresetName, entry: Record<string, unknown>, where: string, problems: string[]): unknown {
  const preset = PRESETS[name];
  if (preset.refusal !== undefined) {
    problems.push(`${where}.preset: ${preset.refusal}`);
    return entry;
  }
  if (name === "generic") return entry; // nothing to fill in; the schema checks the entry as written
  const tenant = (preset.tenant as import("zod").ZodType).safeParse(entry.tenant);
  if (!tenant.success) {
    for (const issue of tenant.error.issues) {
      problems.push(`${[where, "tenant", ...issue.path.map(String)].join(".")}: ${issue.message}`);
    }
    return entry;
  }
  const tokenUse = entry.tokenUse ?? preset.tokenUses[0];
  if (tokenUse !== "access" && tokenUse !== "id") return entry; // the schema reports it
  if (!preset.tokenUses.includes(tokenUse)) {
    problems.push(`${where}.tokenUse: ${name} issues no ${tokenUse} token an API can verify (use ${preset.tokenUses.join(" or ")})`);
    return entry;
  }
  for (const [field, why] of Object.entries(preset.fixed ?? {})) {
    if (entry[field] !== undefined) problems.push(`${where}.${field}: cannot be overridden for ${name}: it ${why}`);
  }
  const clientIds = Array.isArray(entry.clientIds) ? entry.clientIds.filter((c): c is string => typeof c === "string") : [];
  const defaults = preset.defaults(tenant.data as never, { tokenUse, clientIds });
  return merge(defaults, { ...entry, tenant: tenant.data, tokenUse });
}

/** The entry wins; `principal` and `services` are merged one level deep so one of their keys can be overridden alone. */
function merge(defaults: Record<string, unknown>, entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...defaults, ...entry };
  for (const key of ["principal", "services"]) {
    if (isRecord(defaults[key]) && isRecord(entry[key])) out[key] = { ...defaults[key], ...entry[key] };
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
