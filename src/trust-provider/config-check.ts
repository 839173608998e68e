import type { PdpConfig } from "../config/schema.js";

/**
 * Rules of the `trustProvider` section that zod's per-field schema cannot express, reported with the
 * config's other problems at load time: the upstream issuer must exist, client ids must be unique, and
 * plain http is allowed only on loopback with `development.allowInsecureLoopbackJwks` (as for JWKS URIs).
 */
export function trustProviderProblems(config: PdpConfig, isLoopbackHost: (host: string) => boolean): string[] {
  const tp = config.trustProvider;
  if (!tp) return [];
  const problems: string[] = [];
  if (!config.issuers.some((i) => i.name === tp.upstream.issuer)) {
    problems.push(`trustProvider.upstream.issuer: no entry of \`issuers\` is named \`${tp.upstream.issuer}\``);
  }
  const seen = new Set<string>();
  tp.clients.forEach((c, i) => {
    if (seen.has(c.clientId)) problems.push(`trustProvider.clients.${i}.clientId: \`${c.clientId}\` is listed twice`);
    seen.add(c.clientId);
  });
  const checkUrl = (where: string, value: string) => {
    const url = new URL(value);
    if (url.protocol === "https:") return;
    if (!config.development.allowInsecureLoopbackJwks) problems.push(`${where}: plain http is refused (set development.allowInsecureLoopbackJwks for loopback only)`);
    else if (!isLoopbackHost(url.hostname)) problems.push(`${where}: plain http is allowed only to loopback, not \`${url.hostname}\``);
  };
  checkUrl("trustProvider.issuer", tp.issuer);
  if (new URL(tp.issuer).search !== "" || new URL(tp.issuer).hash !== "") problems.push("trustProvider.issuer: must have no query or fragment (OpenID Connect Discovery §3)");
  tp.clients.forEach((c, i) => c.redirectUris.forEach((u, j) => checkUrl(`trustProvider.clients.${i}.redirectUris.${j}`, u)));
  if (tp.store.endpoint) checkUrl("trustProvider.store.endpoint", tp.store.endpoint);
  return problems;
}
