import { resolve } from "node:path";
import { loadConfig } from "../config/load.js";

/**
 * Which config goes into the authorizer zips, decided before anything is zipped. The rule: the operator
 * names one (`--param config=FILE`, or `params.<stage>.config` in serverless.yml), and a development
 * config never reaches a deployed stage. Without a name, only `serverless package` on the `dev` stage
 * proceeds (to look at the template and zips), with the development config; every deploy refuses.
 */

export const DEV_CONFIG = "config/pdp.yaml";
export const DEV_STAGE = "dev";

export interface PackageRequest {
  root: string;
  /** `package`, `deploy`, or `deploy function`. */
  command: string;
  stage: string;
  /** The `config` parameter, "" when not given. */
  configParam: string;
}

export interface PackagePlan {
  /** Absolute path of the config to stage. */
  config: string;
  development: boolean;
  /** Printed by the plugin: what was chosen and why. */
  notice?: string;
}

/** The refusal is the whole message: the plugin shows it as a Serverless error, without a stack trace. */
export class PackageRefused extends Error {
  override readonly name = "PackageRefused";
}

export function planPackage(req: PackageRequest): PackagePlan {
  const deploying = req.command.startsWith("deploy");
  const how = `\`serverless ${req.command} --stage ${req.stage}\``;
  if (req.configParam === "") {
    if (deploying || req.stage !== DEV_STAGE) {
      throw new PackageRefused(
        `${how} needs the config to ship: add \`--param config=FILE\` (e.g. --param config=config/prod.yaml) or set params.${req.stage}.config in serverless.yml. The development config (${DEV_CONFIG}) is never deployed.`,
      );
    }
    return {
      config: resolve(req.root, DEV_CONFIG),
      development: true,
      notice: `packaging the development config (${DEV_CONFIG}) for inspection only: deploying needs --param config=FILE`,
    };
  }
  const config = resolve(req.root, req.configParam);
  const reason = developmentReason(config);
  if (reason !== undefined && (deploying || req.stage !== DEV_STAGE)) {
    throw new PackageRefused(`${how}: \`${req.configParam}\` is a development config (${reason}); name a production config with --param config=FILE`);
  }
  return { config, development: reason !== undefined };
}

/**
 * Why a config is for the local stack only, or undefined. An unreadable or invalid config is not judged
 * here: staging reports every one of its problems.
 */
export function developmentReason(configFile: string): string | undefined {
  let config;
  try {
    ({ config } = loadConfig(configFile));
  } catch {
    return undefined;
  }
  // The only development switch: a valid config can fetch keys over plain http (loopback) only with it.
  return config.development.allowInsecureLoopbackJwks ? "development.allowInsecureLoopbackJwks is set" : undefined;
}
