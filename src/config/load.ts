import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { expandIssuerPresets } from "../identity/presets/index.js";
import { issuerCrossProblems } from "./issuer-rules.js";
import { trustProviderProblems } from "../trust-provider/config-check.js";
import { budgetProblems } from "./budgets.js";
import { routeOverlapWarnings } from "./route-overlaps.js";
import { configSchema, type PdpConfig } from "./schema.js";
import { trustNamespaceProblems } from "./trust-namespaces.js";

/** Environment variable naming the config file; unset means the bundled default. */
export const CONFIG_PATH_ENV = "ZTPDP_CONFIG";

/** Start-up refuses to run on a bad config; the message lists every problem, not just the first. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration \`${file}\`:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface LoadedConfig {
  config: PdpConfig;
  /** Things worth knowing that do not stop start-up (e.g. overlapping route templates); logged at cold start. */
  warnings: string[];
  /** Absolute path of the config file; relative paths inside it resolve against its folder. */
  file: string;
  resolvePath(relative: string): string;
}

/** The config shipped with the project: the local stack's embedded defaults. */
export function defaultConfigPath(): string {
  // Bundles set this (they cannot rely on import.meta.url pointing into the source tree).
  const fromBundle = process.env.ZTPDP_DEFAULT_CONFIG;
  if (fromBundle) return fromBundle;
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../config/pdp.yaml");
}

export function loadConfig(path: string = process.env[CONFIG_PATH_ENV] || defaultConfigPath()): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(file, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return parseConfig(text, file);
}

export function parseConfig(text: string, file: string): LoadedConfig {
  let raw: unknown;
  try {
    // YAML 1.2 core schema (JSON is valid YAML); uniqueKeys rejects duplicate keys instead of keeping the last.
    raw = parseYaml(text, { schema: "core", uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigError(file, [`not valid YAML/JSON: ${(err as Error).message.split("\n")[0]}`]);
  }
  // Issuer presets (src/identity/presets/) are expanded first; their problems join the schema's, minus
  // the follow-on noise of an entry whose expansion already failed.
  const expanded = expandIssuerPresets(raw);
  const parsed = configSchema.safeParse(expanded.doc);
  const issues = parsed.success ? [] : parsed.error.issues.filter((i) => !(i.path[0] === "issuers" && expanded.failed.has(i.path[1] as number)));
  if (expanded.problems.length > 0 || issues.length > 0) throw new ConfigError(file, [...expanded.problems, ...formatIssues(issues)]);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  const config = parsed.data;
  const problems = [...crossFieldProblems(config), ...issuerCrossProblems(config), ...trustProviderProblems(config, isLoopbackHost)];
  if (problems.length > 0) throw new ConfigError(file, problems);
  const base = dirname(file);
  return { config, file, warnings: routeOverlapWarnings(config.routes), resolvePath: (p) => (isAbsolute(p) ? p : resolve(base, p)) };
}

function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Rules zod's per-field schema cannot express: uniqueness, and transport security of key URLs. */
function crossFieldProblems(config: PdpConfig): string[] {
  const problems: string[] = [];
  const trusts = [
    ...config.issuers.map((t, i) => ({ where: `issuers.${i}`, t })),
    ...config.devicePosture.providers.map((t, i) => ({ where: `devicePosture.providers.${i}`, t })),
  ];
  const seenIss = new Map<string, string>();
  const seenNames = new Map<string, string>();
  for (const { where, t } of trusts) {
    const prev = seenIss.get(t.issuer);
    // One issuer string must map to one trust: a user token and a device token are told apart by issuer first.
    if (prev) problems.push(`${where}.issuer: \`${t.issuer}\` is already used by ${prev}`);
    seenIss.set(t.issuer, where);
    const prevName = seenNames.get(t.name);
    if (prevName) problems.push(`${where}.name: \`${t.name}\` is already used by ${prevName}`);
    seenNames.set(t.name, where);
    const url = new URL(t.jwksUri);
    if (url.protocol === "http:") {
      if (!config.development.allowInsecureLoopbackJwks) {
        problems.push(`${where}.jwksUri: plain http is refused (set development.allowInsecureLoopbackJwks for loopback only)`);
      } else if (!isLoopbackHost(url.hostname)) {
        problems.push(`${where}.jwksUri: plain http is allowed only to loopback, not \`${url.hostname}\``);
      }
    }
  }
  problems.push(...trustNamespaceProblems(config), ...budgetProblems(config));
  // AVA mode evaluates its Verified Access folder in process and builds no other engine: a store named
  // beside it would be silently ignored, so an operator who thinks Verified Permissions decides is told.
  if (config.verifiedAccess?.policyDir !== undefined && config.policy.engine !== "local") {
    problems.push(`policy.engine: \`${config.policy.engine}\` is never used when verifiedAccess.policyDir is set (AVA mode decides with that folder); remove one of them`);
  }
  const seenRoutes = new Set<string>();
  config.routes.forEach((r, i) => {
    if (seenRoutes.has(r.path)) problems.push(`routes.${i}.path: \`${r.path}\` is listed twice`);
    seenRoutes.add(r.path);
  });
  return problems;
}

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}
