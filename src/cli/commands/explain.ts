import { COMMON_OPTIONS, integerFlag, parseCommandArgs } from "../args.js";
import { EXIT_OK, UsageError } from "../errors.js";
import { createHarness, startKeyGeneration } from "../harness/harness.js";
import { printer, type CliIo } from "../io.js";
import { namedEntities, requirePolicySet } from "../policy-context.js";
import { absolutePath, optionalConfig, policyDir, readBaseline, requireConfig, shownPath } from "../project.js";
import { avaExplain } from "../ava/explain.js";
import { isAvaFolder } from "../ava/commands.js";
import { renderExplainJson, renderExplainText } from "../report/explain-report.js";
import { readCase, type ScenarioCase } from "../scenario/case.js";
import { Checker, isPlainObject } from "../scenario/check.js";
import { parseSourceText, readSourceDoc, type SourceDoc } from "../scenario/source.js";
import { located, mergeCase } from "../scenario/suite.js";

export const EXPLAIN_HELP = `usage: ztpdp explain [request flags | --request FILE [--case NAME]] [--json] [--config FILE] [--policies DIR]

Evaluate one request through the production decision core and show the decision, the determining
policies with their source location and text, the errors, and the exact entities and context built.

caller (one of):
  --user ID             user id (the token's sub); with --group G (repeatable), --mfa
  --service CLIENT_ID   a machine caller (client-credentials token)
  --issuer NAME         issuer from the config (default: the first)
  --claims JSON         extra or overriding token claims
device (default: none):
  --device PROVIDER     a provider from the config, with --device-claims JSON (its raw claims)
                        and --device-age SECONDS
  --posture JSON        a normalized posture, e.g. '{"managed":true,"os":{"family":"macos","version":"15.7.2"}}'
request:
  --method M --route R            e.g. --method GET --route '/wiki/{page}'
  --action A --resource R         Cedar terms: --action GET --resource 'Route::"/wiki/{page}"'
  --source-ip IP --vpce-id ID --host H --user-agent UA
or:
  --request FILE        a case in the scenario format (YAML/JSON; - reads stdin), or a scenario file
                        with --case NAME
Verified Access folder (--policies DIR holding verified-access.yaml):
  --request FILE [--case NAME]   a case in the Verified Access scenario format
  --context FILE        a context as Verified Access logs it (the trust context of an access-log record)
other:
  --known-group G       a real group no policy names (repeatable)
  --policies DIR        policy folder (default: the config's policy.dir)
  --json                print the explanation as JSON
  --config FILE         project config (default: $ZTPDP_CONFIG, else config/pdp.yaml)

exit: 0 explained (whatever the decision), 1 invalid config or policies, 2 usage or a bad request`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  user: { type: "string" },
  group: { type: "string", multiple: true },
  mfa: { type: "boolean" },
  service: { type: "string" },
  issuer: { type: "string" },
  claims: { type: "string" },
  device: { type: "string" },
  "device-claims": { type: "string" },
  "device-age": { type: "string" },
  posture: { type: "string" },
  method: { type: "string" },
  route: { type: "string" },
  action: { type: "string" },
  resource: { type: "string" },
  "source-ip": { type: "string" },
  "vpce-id": { type: "string" },
  host: { type: "string" },
  "user-agent": { type: "string" },
  request: { type: "string" },
  case: { type: "string" },
  "known-group": { type: "string", multiple: true },
  policies: { type: "string" },
  context: { type: "string" },
  json: { type: "boolean" },
  config: { type: "string" },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>["values"];

export async function explainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs("explain", argv, OPTIONS, 0);
  const avaDir = values.policies === undefined ? undefined : absolutePath(io, values.policies);
  if (avaDir !== undefined && isAvaFolder(avaDir)) {
    const flags = { ...pick(values, ["request", "case", "context"] as const), json: values.json === true };
    return avaExplain(io, avaDir, optionalConfig(io, "explain", values.config), flags);
  }
  if (values.context !== undefined) throw new UsageError("`--context` explains a logged Verified Access context: pass a Verified Access folder with `--policies DIR`", "explain");
  const config = requireConfig(io, "explain", values.config);
  const dir = policyDir(io, "explain", values.policies, config);
  // Flag and file problems first: they are the user's to fix before any policy matters.
  const { raw, doc, knownGroups, defaults } = requestSource(io, values);
  const keys = startKeyGeneration(config);
  keys.catch(() => undefined); // awaited below; a failure must not surface as an unhandled rejection first
  const policySet = requirePolicySet(io, dir);
  const baseline = readBaseline(io, config);
  const nowMs = Date.now();

  const check = new Checker();
  const ctx = {
    config: config.config,
    baseline,
    namedEntities: namedEntities(policySet),
    knownGroups: new Set([...(values["known-group"] ?? []), ...knownGroups]),
    policyIds: new Set(policySet.policies.map((p) => p.id)),
    nowSeconds: Math.floor(nowMs / 1000),
    ...(values.request === undefined
      ? { hints: { knownGroup: "pass `--known-group NAME`", inlineResource: `pass \`--action M --resource '{"route": ..., "application": ..., "classification": ...}'\`` } }
      : {}),
  };
  const scenario: ScenarioCase | undefined = readCase(raw.value, raw.path, ctx, check, { requireName: false, requireExpect: false });
  if (!scenario || check.issues.length > 0) {
    const problems = doc
      ? located(doc, check.issues, defaults).map((p) => `  ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ${p.message}`)
      : check.issues.map((i) => `  ${flagFor(i.path)}: ${i.message}`);
    throw new UsageError("cannot build the request", "explain", problems);
  }
  const harness = createHarness({ config, policySet, baseline, nowMs, keys: await keys });
  if (scenario.input.request.adHocRoute) harness.addRoutes([scenario.input.request.adHocRoute]);
  const ev = await harness.evaluate(scenario.input);

  const out = printer(io.stdout);
  const explained = { ev, input: scenario.input, policies: policySet.policies, revision: policySet.revision, shown: (f: string) => shownPath(io, f) };
  if (values.json) out.line(JSON.stringify(renderExplainJson(explained), null, 2));
  else renderExplainText(explained, out);
  return EXIT_OK;
}

interface RequestSource {
  raw: { value: unknown; path: Array<string | number> };
  /** The file the case came from; absent when it came from flags. */
  doc?: SourceDoc;
  knownGroups: string[];
  defaults?: Record<string, unknown>;
}

/** The case to explain: from `--request` (a case, or one case of a scenario file), else from the flags. */
function requestSource(io: CliIo, v: Values): RequestSource {
  const flagNames = ["user", "group", "mfa", "service", "issuer", "claims", "device", "device-claims", "device-age", "posture", "method", "route", "action", "resource", "source-ip", "vpce-id", "host", "user-agent"] as const;
  if (v.request === undefined) {
    if (v.case !== undefined) throw new UsageError("`--case` picks a case from a `--request` scenario file", "explain");
    return { raw: { value: caseFromFlags(v), path: [] }, knownGroups: [] };
  }
  const clash = flagNames.find((f) => v[f] !== undefined);
  if (clash) throw new UsageError(`\`--request\` replaces the request flags; drop \`--${clash}\``, "explain");
  const doc = readRequestDoc(io, v.request);
  const picked = pickScenarioCase(doc, v.request, v.case, mergeCase);
  if (picked.defaults === undefined) return { raw: { value: picked.raw, path: picked.path }, doc, knownGroups: [] };
  const top = doc.value as Record<string, unknown>;
  const known = Array.isArray(top.knownGroups) ? top.knownGroups.filter((g): g is string => typeof g === "string") : [];
  return { raw: { value: picked.raw, path: picked.path }, doc, knownGroups: known, defaults: picked.defaults };
}

/** `--request FILE` (`-`: stdin) as a parsed document, or a usage error saying why not. */
export function readRequestDoc(io: CliIo, file: string): SourceDoc {
  const loaded = file === "-" ? stdinDoc(io) : readSourceDoc(absolutePath(io, file), file);
  if (!loaded.ok) {
    if (file !== "-" && loaded.problems.some((p) => p.message.startsWith("cannot read file"))) {
      throw new UsageError(`request file \`${file}\` does not exist or cannot be read`, "explain");
    }
    throw new UsageError("cannot read the request", "explain", loaded.problems.map((p) => `  ${p.file}${p.line ? `:${p.line}:${p.col ?? 1}` : ""}: ${p.message}`));
  }
  return loaded.doc;
}

/**
 * The case to explain: the whole document when it is one case, else the case of a scenario file named
 * by `--case` (or its only case), merged over the file's defaults (`defaults` is then set).
 */
export function pickScenarioCase(
  doc: SourceDoc,
  file: string,
  caseName: string | undefined,
  merge: (defaults: Record<string, unknown>, raw: Record<string, unknown>) => Record<string, unknown>,
): { raw: unknown; path: Array<string | number>; defaults?: Record<string, unknown> } {
  if (!isPlainObject(doc.value) || !Array.isArray(doc.value.cases)) {
    if (caseName !== undefined) throw new UsageError("`--case` needs a scenario file (a mapping with `cases:`)", "explain");
    return { raw: doc.value, path: [] };
  }
  const cases = doc.value.cases as unknown[];
  const names = cases.map((c) => (isPlainObject(c) && typeof c.name === "string" ? c.name : ""));
  const index = caseName === undefined ? (cases.length === 1 ? 0 : -1) : names.indexOf(caseName);
  if (index < 0) {
    throw new UsageError(
      caseName === undefined ? `\`${file}\` holds ${cases.length} cases: pick one with \`--case NAME\`` : `no case named \`${caseName}\` in \`${file}\``,
      "explain",
      names.map((n) => `  ${n}`),
    );
  }
  const defaults = isPlainObject(doc.value.defaults) ? doc.value.defaults : {};
  const raw = cases[index];
  return { raw: isPlainObject(raw) ? merge(defaults, raw) : raw, path: ["cases", index], defaults };
}

function stdinDoc(io: CliIo) {
  if (!io.readStdin) throw new UsageError("standard input is not available", "explain");
  return parseSourceText(io.readStdin(), "(stdin)");
}

function caseFromFlags(v: Values): Record<string, unknown> {
  const json = (flag: keyof Values & string, value: string | undefined): unknown => {
    if (value === undefined) return undefined;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new UsageError(`flag \`--${flag}\` needs JSON, such as '{"key": "value"}'`, "explain");
    }
  };
  const c: Record<string, unknown> = {};
  if ((v.user === undefined) === (v.service === undefined)) throw new UsageError("give one caller: `--user ID` or `--service CLIENT_ID`", "explain");
  if (v.method === undefined && v.route === undefined && v.action === undefined && v.resource === undefined) {
    throw new UsageError("give the request: `--method M --route R`, or `--action A --resource R`", "explain");
  }
  const claims = json("claims", v.claims);
  if (v.user !== undefined) c.user = { id: v.user, groups: v.group ?? [], mfa: v.mfa === true, ...(v.issuer ? { issuer: v.issuer } : {}), ...(claims !== undefined ? { claims } : {}) };
  if (v.service !== undefined) c.service = { clientId: v.service, ...(v.issuer ? { issuer: v.issuer } : {}), ...(claims !== undefined ? { claims } : {}) };
  if (v.user === undefined && (v.group !== undefined || v.mfa !== undefined)) throw new UsageError("`--group` and `--mfa` describe a `--user`", "explain");
  if (v.device !== undefined && v.posture !== undefined) throw new UsageError("give `--device PROVIDER` or `--posture JSON`, not both", "explain");
  if (v.device === "none") c.device = "none";
  else if (v.device !== undefined) {
    c.device = {
      provider: v.device,
      claims: json("device-claims", v["device-claims"]) ?? {},
      ageSeconds: integerFlag("explain", "device-age", v["device-age"]) ?? 0,
    };
  } else if (v["device-claims"] !== undefined || v["device-age"] !== undefined) {
    throw new UsageError("`--device-claims` and `--device-age` need `--device PROVIDER`", "explain");
  }
  if (v.posture !== undefined) c.device = { posture: json("posture", v.posture) };
  const resource = v.resource?.trimStart().startsWith("{") ? json("resource", v.resource) : v.resource;
  const request: Record<string, unknown> = { method: v.method, route: v.route, action: v.action, resource };
  const network = { sourceIp: v["source-ip"], vpceId: v["vpce-id"], host: v.host, userAgent: v["user-agent"] };
  c.request = Object.fromEntries(Object.entries({ ...request, ...network }).filter(([, x]) => x !== undefined));
  return c;
}

/** Case keys as the flags that set them, so a problem with `--route` is not reported as `request.route`. */
const FLAGS: Record<string, string> = {
  user: "--user", "user.id": "--user", "user.groups": "--group", "user.mfa": "--mfa", "user.issuer": "--issuer", "user.claims": "--claims",
  service: "--service", "service.clientId": "--service", "service.issuer": "--issuer", "service.claims": "--claims",
  device: "--device", "device.provider": "--device", "device.claims": "--device-claims", "device.ageSeconds": "--device-age", "device.posture": "--posture",
  request: "request flags", "request.method": "--method", "request.route": "--route", "request.action": "--action", "request.resource": "--resource",
  "request.sourceIp": "--source-ip", "request.vpceId": "--vpce-id", "request.host": "--host", "request.userAgent": "--user-agent",
};

function flagFor(path: ReadonlyArray<string | number>): string {
  const keys = path.filter((p): p is string => typeof p === "string");
  for (let n = keys.length; n > 0; n--) {
    const flag = FLAGS[keys.slice(0, n).join(".")];
    if (flag) return n < keys.length ? `${flag} (${keys.slice(n).join(".")})` : flag;
  }
  return "flags";
}

function pick<T extends Record<string, unknown>, K extends keyof T>(values: T, keys: readonly K[]): Partial<Pick<T, K>> {
  return Object.fromEntries(keys.filter((k) => values[k] !== undefined).map((k) => [k, values[k]])) as Partial<Pick<T, K>>;
}
