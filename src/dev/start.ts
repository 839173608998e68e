// Entry point of `npm start` (bundled to dist/dev/start.mjs): the local stack — the development IdP and MDM,
// serverless-offline with the authorizers and the demo API, the local Cedar engine — all on one config
// (ZTPDP_CONFIG or --config, else config/pdp.yaml), checked before anything starts. Ports come from flags
// or environment variables (src/dev/start-options.ts). Prints the URLs, curl commands and every audit record.
import { join, resolve } from "node:path";
import { freeLoopbackPort } from "./issuers.js";
import { DEFAULT_DEV_KEYS_DIR, loadOrCreateDevKeys } from "./keys.js";
import { projectRoot } from "./root.js";
import { localServices, startServices } from "./services.js";
import { prepareStackConfig, StackConfigError, type StackConfig } from "./stack-config.js";
import { parseStartOptions, START_USAGE, StartUsageError, type StartOptions } from "./start-options.js";
import { quickTour } from "./tour.js";
import { shownPath } from "../config/preflight.js";

const root = projectRoot();
const print = (line: string) => console.log(line);
const fail = (message: string, code: number): never => {
  console.error(message);
  process.exit(code);
};

let options: StartOptions;
try {
  options = parseStartOptions(process.argv.slice(2), process.env);
} catch (err) {
  if (!(err instanceof StartUsageError)) throw err;
  fail(`npm start: ${err.message}\n${START_USAGE}`, 2);
}
if (options!.help) {
  print(START_USAGE);
  process.exit(0);
}
const opts = options!;
const anyPort = async (port: number) => (port === 0 ? freeLoopbackPort() : port);
const sourceConfig = opts.config !== undefined ? resolve(opts.config) : join(root, "config/pdp.yaml");

let stackConfig: StackConfig;
try {
  stackConfig = prepareStackConfig(sourceConfig, root, opts.idpPort === undefined ? undefined : await anyPort(opts.idpPort));
} catch (err) {
  if (!(err instanceof StackConfigError)) throw err;
  fail(`npm start: refusing to start: ${err.message}`, 1);
}
const config = stackConfig!;
for (const warning of config.loaded.warnings) console.warn(`config warning: ${warning}`);

const ctx = {
  root,
  config: config.loaded,
  configFile: config.file,
  engine: opts.engine,
  keys: loadOrCreateDevKeys(join(root, DEFAULT_DEV_KEYS_DIR)),
  ports: { http: await anyPort(opts.httpPort), lambda: await anyPort(opts.lambdaPort), devIssuers: config.devIssuerPort },
  functionEnv: {},
  verbose: opts.verbose,
  print,
};
if (config.source !== join(root, "config/pdp.yaml")) print(`config: ${config.source}${config.file !== config.source ? ` (as ${config.file})` : ""}`);

let stack: Awaited<ReturnType<typeof startServices>>;
try {
  stack = await startServices(localServices(), ctx);
} catch (err) {
  config.cleanup();
  fail(`npm start: ${(err as Error).message}`, 1);
}
const urls = Object.assign({}, ...stack!.running.map((s) => s.urls ?? {})) as { rest: string; http: string };
const tokenFlags = config.file === join(root, "config/pdp.yaml") ? "" : `--config '${config.file}'`;
const avaDir = config.loaded.config.verifiedAccess?.policyDir;
print(
  quickTour({
    restUrl: urls.rest,
    httpUrl: urls.http,
    tokenFlags,
    devIssuers: config.devIssuerPort !== undefined,
    ...(avaDir !== undefined ? { verifiedAccessDir: shownPath(root, config.loaded.resolvePath(avaDir)) } : {}),
  }),
);
for (const service of stack!.running) {
  if (service.tour) print(service.tour({ config: tokenFlags === "" ? "" : config.file, http: ctx.ports.http }));
}

const shutdown = async () => {
  await stack.stopAll();
  config.cleanup();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
