import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { isLoopbackHost, parseConfig, type LoadedConfig } from "../config/load.js";
import { preflight, shownPath } from "../config/preflight.js";

/**
 * The one config every part of the local stack follows (the dev IdP and MDM, the authorizers, `npm run
 * token`), checked like a cold start before anything starts: every problem is listed and nothing runs.
 * Asking for another dev IdP port rewrites the config's development issuer URLs to it, in a copy.
 */

export interface StackConfig {
  /** The config the developer chose. */
  source: string;
  /** What every part of the stack reads: `source`, or its copy rewritten for another dev IdP port. */
  file: string;
  loaded: LoadedConfig;
  /** Where the dev IdP and MDM listen; undefined when the config trusts no development (loopback http) issuer. */
  devIssuerPort: number | undefined;
  cleanup(): void;
}

export class StackConfigError extends Error {
  constructor(
    readonly config: string,
    readonly problems: readonly string[],
  ) {
    super(`${problems.length} problem${problems.length === 1 ? "" : "s"} with the configuration \`${config}\` and what it names:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

export function prepareStackConfig(source: string, root: string, idpPort?: number): StackConfig {
  const shown = shownPath(root, source);
  const checked = preflight(source, root);
  if (!checked.ok) throw new StackConfigError(shown, checked.problems);
  const { config } = checked.loaded;

  // The dev IdP serves the trusts whose keys come over plain http from loopback: one origin for all of them.
  const origins = new Set<string>();
  for (const trust of [...config.issuers, ...config.devicePosture.providers]) {
    const jwks = new URL(trust.jwksUri);
    if (jwks.protocol === "http:" && isLoopbackHost(jwks.hostname)) origins.add(jwks.origin).add(new URL(trust.issuer).origin);
  }
  if (origins.size > 1) {
    throw new StackConfigError(shown, [`${shown}: the dev IdP serves one origin, but the development issuers use ${[...origins].map((o) => `\`${o}\``).join(", ")}`]);
  }
  const [origin] = origins;
  if (origin === undefined) return { source, file: source, loaded: checked.loaded, devIssuerPort: undefined, cleanup: () => undefined };
  const configuredPort = Number(new URL(origin).port || 80);
  if (idpPort === undefined || idpPort === configuredPort) {
    return { source, file: source, loaded: checked.loaded, devIssuerPort: configuredPort, cleanup: () => undefined };
  }

  // A copy for another port: issuer and JWKS URLs moved, file paths made absolute (the copy lives elsewhere).
  const doc = parseDocument(readFileSync(source, "utf8").replaceAll(origin, `http://127.0.0.1:${idpPort}`));
  doc.setIn(["policy", "dir"], checked.policyDir);
  doc.setIn(["devicePosture", "patchBaselineFile"], checked.baselineFile);
  const dir = mkdtempSync(join(tmpdir(), "ztpdp-stack-"));
  const file = join(dir, "pdp.yaml");
  writeFileSync(file, `# ${shown}, with the dev IdP on port ${idpPort} (written by npm start, removed when it stops)\n${doc.toString()}`);
  return { source, file, loaded: parseConfig(readFileSync(file, "utf8"), file), devIssuerPort: idpPort, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
