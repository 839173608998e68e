import { parseArgs } from "node:util";
import { AVP_ENGINES, type AvpStackEngine } from "./avp-stack.js";

/**
 * `npm start -- [flags]`: every port and the config come from a flag, else an environment variable, else
 * the default. Port 0 means "any free port" (what tests use, so they never collide with a running stack).
 */

export const START_USAGE = `usage: npm start -- [options]
  --http-port N     API Gateway emulation (REST and HTTP API)   env ZTPDP_HTTP_PORT    default 3000
  --lambda-port N   Lambda Invoke API emulation                 env ZTPDP_LAMBDA_PORT  default 3002
  --idp-port N      the dev IdP and MDM (rewrites the config's  env ZTPDP_IDP_PORT     default: the port in
                    loopback issuer URLs to this port)                                 the config (8471)
  --config FILE     the PDP config every part of the stack uses env ZTPDP_CONFIG       default config/pdp.yaml
  --engine NAME     decide with local (the config's engine),    env ZTPDP_ENGINE       default local
                    avp-remote or avp-mirror (a local Verified
                    Permissions endpoint, store pushed from the
                    config's policy folder)
  --verbose         show serverless-offline's own output        env ZTPDP_VERBOSE=1
Port 0 picks a free port.`;

export interface StartOptions {
  httpPort: number;
  lambdaPort: number;
  /** Undefined: the port the config's development issuer URLs name. */
  idpPort: number | undefined;
  /** As given (relative to the working directory), undefined for the bundled development config. */
  config: string | undefined;
  engine: "local" | AvpStackEngine;
  verbose: boolean;
  help: boolean;
}

export class StartUsageError extends Error {
  override readonly name = "StartUsageError";
}

export function parseStartOptions(argv: readonly string[], env: NodeJS.ProcessEnv): StartOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        "http-port": { type: "string" },
        "lambda-port": { type: "string" },
        "idp-port": { type: "string" },
        config: { type: "string" },
        engine: { type: "string" },
        verbose: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new StartUsageError((err as Error).message);
  }
  const port = (flag: string, fromFlag: string | undefined, envName: string, fallback?: number): number | undefined => {
    const raw = fromFlag ?? (env[envName] || undefined);
    if (raw === undefined) return fallback;
    if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new StartUsageError(`${fromFlag !== undefined ? `--${flag}` : envName} must be a port number 0-65535 (got \`${raw}\`)`);
    return Number(raw);
  };
  const engine = values.engine ?? (env.ZTPDP_ENGINE || "local");
  if (engine !== "local" && !(AVP_ENGINES as readonly string[]).includes(engine)) {
    throw new StartUsageError(`${values.engine !== undefined ? "--engine" : "ZTPDP_ENGINE"} must be local, ${AVP_ENGINES.join(" or ")} (got \`${engine}\`)`);
  }
  return {
    httpPort: port("http-port", values["http-port"], "ZTPDP_HTTP_PORT", 3000)!,
    lambdaPort: port("lambda-port", values["lambda-port"], "ZTPDP_LAMBDA_PORT", 3002)!,
    idpPort: port("idp-port", values["idp-port"], "ZTPDP_IDP_PORT"),
    config: values.config ?? (env.ZTPDP_CONFIG || undefined),
    engine: engine as StartOptions["engine"],
    verbose: values.verbose === true || env.ZTPDP_VERBOSE === "1",
    help: values.help === true,
  };
}
