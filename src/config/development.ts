import { isLoopbackHost } from "./load.js";
import type { PdpConfig } from "./schema.js";

/**
 * What makes a config a development one: the loopback escape hatch for plain-http keys, or an issuer or
 * key URL on loopback (the local stack's IdP and MDM). Empty for a config fit to deploy.
 */
export function developmentSettings(config: PdpConfig): string[] {
  const found: string[] = [];
  if (config.development.allowInsecureLoopbackJwks) found.push("development.allowInsecureLoopbackJwks is set");
  const trusts = [
    ...config.issuers.map((t, i) => ({ where: `issuers.${i}`, t })),
    ...config.devicePosture.providers.map((t, i) => ({ where: `devicePosture.providers.${i}`, t })),
  ];
  for (const { where, t } of trusts) {
    for (const [field, url] of [
      ["issuer", t.issuer],
      ["jwksUri", t.jwksUri],
    ] as const) {
      if (isLoopbackUrl(url)) found.push(`${where}.${field} is on loopback (\`${url}\`)`);
    }
  }
  return found;
}

function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false; // an `iss` need not be a URL
  }
}
