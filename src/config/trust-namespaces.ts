import { namespaceProblems } from "../identity/entity-namespace.js";
import type { PdpConfig } from "./schema.js";

/**
 * With several trusted issuers, each is its own namespace: its entity ids carry a distinct prefix
 * (identity/entity-namespace.ts), and a device token binds to a user of a named issuer, so the same
 * `sub` at another IdP (a partner's `alice`) never inherits this device's posture.
 */
export function trustNamespaceProblems(config: PdpConfig): string[] {
  const problems = namespaceProblems(config.issuers);
  const names = new Set(config.issuers.map((i) => i.name));
  config.devicePosture.providers.forEach((provider, i) => {
    const at = `devicePosture.providers.${i}.binding.issuers`;
    const bound = provider.binding.issuers;
    if (bound === undefined) {
      if (config.issuers.length > 1) problems.push(`${at}: required when more than one issuer is trusted (which issuers' users this provider's devices belong to)`);
      return;
    }
    for (const name of bound) if (!names.has(name)) problems.push(`${at}: \`${name}\` is not the name of a configured issuer`);
  });
  return problems;
}
