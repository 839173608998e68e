import { join } from "node:path";
import type { LoadedConfig } from "../config/load.js";
import type { AuditRecord } from "../audit/record.js";
import { formatAudit } from "./audit-printer.js";
import { verifiedPermissionsService, type AvpStackEngine } from "./avp-stack.js";
import { startDevIssuers } from "./issuers.js";
import { DEFAULT_DEV_KEYS_DIR, type DevKeys } from "./keys.js";
import { startOffline } from "./offline.js";
import { startDevTrustProvider } from "./trust-provider-stack.js";

/**
 * The local stack as a list of services started in order and stopped in reverse. A service may add
 * environment for the Lambda functions (`functionEnv`, e.g. a local endpoint); serverless-offline starts
 * last and passes it on. To add one (a local DynamoDB, a Verified Access trust provider…), write a
 * `LocalService` and put it in `localServices()` before `apiGatewayEmulation`.
 */

export interface StackContext {
  root: string;
  /** The config every service follows, and its path (what the functions get as ZTPDP_CONFIG). */
  config: LoadedConfig;
  configFile: string;
  /** The decision engine the functions use: the config's own, or a local Verified Permissions store (avp-stack.ts). */
  engine?: "local" | AvpStackEngine;
  keys: DevKeys;
  ports: { http: number; lambda: number; devIssuers: number | undefined };
  /** Environment for the Lambda functions, filled by the services that start before serverless-offline. */
  functionEnv: Record<string, string>;
  verbose: boolean;
  print(line: string): void;
}

export interface RunningService {
  /** Shown in the start-up banner, e.g. "dev IdP and MDM: http://127.0.0.1:8471". */
  banner?: string;
  /** Extra values the tour needs (the API base URLs). */
  urls?: Record<string, string>;
  /** Printed after the main tour, given the flags every dev command needs to follow the stack's config. */
  tour?(flags: { config: string; http: number }): string;
  stop(): Promise<void>;
}

export interface LocalService {
  name: string;
  start(ctx: StackContext): Promise<RunningService | undefined>;
}

/** The development OIDC issuer and MDM (only when the config trusts a loopback development issuer). */
export const devIssuers: LocalService = {
  name: "dev IdP and MDM",
  async start(ctx) {
    if (ctx.ports.devIssuers === undefined) return undefined;
    const server = await startDevIssuers({ config: ctx.config.config, keys: ctx.keys, port: ctx.ports.devIssuers });
    return { banner: `dev IdP and MDM: http://127.0.0.1:${server.port}  (keys in .dev-keys/, never committed)`, stop: () => server.close() };
  },
};

/**
 * The Verified Access trust provider's local DynamoDB (dynalite) and secrets, when the config has a
 * `trustProvider` section; its tp-* functions run in serverless-offline with the environment added here.
 */
export const trustProviderState: LocalService = {
  name: "trust provider state (dynalite)",
  async start(ctx) {
    const tp = await startDevTrustProvider({ config: ctx.config.config, keysDir: join(ctx.root, DEFAULT_DEV_KEYS_DIR), httpPort: ctx.ports.http });
    if (!tp) return undefined;
    Object.assign(ctx.functionEnv, tp.env);
    return {
      tour: ({ config, http }) => tp.tour([config ? `--config '${config}'` : "", http !== 3000 ? `--issuer ${tp.issuer}` : ""].filter(Boolean).join(" ")),
      stop: () => tp.close(),
    };
  },
};

// A 401 is our authorizer throwing "Unauthorized" on purpose, which offline reports as an exception.
const EXPECTED_401_NOISE = /Unhandled exception in handler '(rest|token)Authorizer'|Error: Unauthorized$|Authorization function returned an error response/;

/** serverless-offline: API Gateway + Lambda emulation of serverless.yml, with the local network emulation. */
export const apiGatewayEmulation: LocalService = {
  name: "API Gateway emulation (serverless-offline)",
  async start(ctx) {
    ctx.print("starting serverless-offline (API Gateway emulation)…");
    const stack = await startOffline({
      root: ctx.root,
      httpPort: ctx.ports.http,
      lambdaPort: ctx.ports.lambda,
      env: { ...ctx.functionEnv, ZTPDP_CONFIG: ctx.configFile },
      params: { emulateNetwork: "true" },
      onAudit: (record: AuditRecord) => ctx.print(formatAudit(record)),
      // Offline's banner and per-request chatter are noise once the tour is printed; keep real errors.
      onLine: (line) => {
        if (ctx.verbose || (/error|warn|×/i.test(line) && !EXPECTED_401_NOISE.test(line))) ctx.print(`  [offline] ${line}`);
      },
    });
    return { urls: { rest: stack.restUrl, http: stack.httpUrl }, stop: () => stack.stop() };
  },
};

export function localServices(): LocalService[] {
  return [devIssuers, trustProviderState, verifiedPermissionsService, apiGatewayEmulation];
}

/** Starts every service in order; if one fails, stops those already started and rethrows. */
export async function startServices(services: LocalService[], ctx: StackContext): Promise<{ running: RunningService[]; stopAll(): Promise<void> }> {
  const running: RunningService[] = [];
  const stopAll = async () => {
    for (const service of running.toReversed()) await service.stop().catch(() => undefined);
  };
  for (const service of services) {
    let started: RunningService | undefined;
    try {
      started = await service.start(ctx);
    } catch (err) {
      await stopAll();
      throw new Error(`${service.name} did not start: ${(err as Error).message}`);
    }
    if (!started) continue;
    running.push(started);
    if (started.banner) ctx.print(started.banner);
  }
  return { running, stopAll };
}
