import { buildAttributeCatalog } from "../identity/principal-attributes.js";
import type { PdpConfig } from "./schema.js";

/**
 * Configuration rules across issuer entries that came with presets: issuer aliases must not collide with
 * another entry's issuer, and one principal attribute has one type whichever issuer maps it (one Cedar
 * schema serves every issuer).
 */
export function issuerCrossProblems(config: PdpConfig): string[] {
  const problems: string[] = [];
  const primary = new Map<string, string>();
  config.issuers.forEach((t, i) => primary.set(t.issuer, `issuers.${i}`));
  config.devicePosture.providers.forEach((t, i) => primary.set(t.issuer, `devicePosture.providers.${i}`));
  const aliases = new Map<string, string>();
  config.issuers.forEach((t, i) => {
    for (const alias of t.issuerAliases) {
      const other = primary.get(alias) ?? aliases.get(alias);
      if (other !== undefined && other !== `issuers.${i}`) problems.push(`issuers.${i}.issuerAliases: \`${alias}\` is already used by ${other}`);
      aliases.set(alias, `issuers.${i}`);
    }
  });
  problems.push(...buildAttributeCatalog(config.issuers).problems);
  return problems;
}
