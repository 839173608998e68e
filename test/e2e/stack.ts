import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AuditRecord } from "../../src/audit/record.js";
import { freeLoopbackPort } from "../../src/dev/issuers.js";
import { startOffline, type OfflineStack } from "../../src/dev/offline.js";
import { auditCollector } from "../support/audit-collector.js";
import { ROOT, startLocalIssuers, type LocalIssuers } from "../support/local-config.js";

/**
 * The whole local stack for end-to-end tests: the dev IdP/MDM on a free loopback port with keys generated
 * for this run, and serverless-offline (real API Gateway emulation of serverless.yml) running the built
 * bundles from dist/ against a config rewritten for that port. Nothing is mocked.
 */

export interface E2eStack extends Omit<LocalIssuers, "close"> {
  restUrl: string;
  httpUrl: string;
  lambdaUrl: string;
  audits: AuditRecord[];
  /** Waits until an audit record matching `match` arrives (records come from the Lambda's stdout). */
  waitForAudit(match: (r: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord>;
  stop(): Promise<void>;
}

export interface E2eOptions {
  /** Edit the config document the functions get (e.g. another policy engine). */
  editConfig?: (doc: Record<string, unknown>) => void;
  /** More environment for the functions. */
  env?: Record<string, string>;
}

export async function startE2eStack(options: E2eOptions = {}): Promise<E2eStack> {
  if (!existsSync(join(ROOT, "dist/rest-authorizer/index.mjs"))) {
    throw new Error("dist/ is missing: the end-to-end tests run the built bundles (`npm test` builds first)");
  }
  const issuers = await startLocalIssuers(options.editConfig);
  const collector = auditCollector();
  let stack: OfflineStack;
  try {
    stack = await startOffline({
      root: ROOT,
      httpPort: await freeLoopbackPort(),
      lambdaPort: await freeLoopbackPort(),
      env: { ZTPDP_CONFIG: issuers.configPath, POWERTOOLS_METRICS_DISABLED: "true", ...options.env },
      onAudit: collector.push,
      readyTimeoutMs: 90_000,
    });
  } catch (err) {
    await issuers.close();
    throw err;
  }

  return {
    ...issuers,
    restUrl: stack.restUrl,
    httpUrl: stack.httpUrl,
    lambdaUrl: stack.lambdaUrl,
    audits: collector.audits,
    waitForAudit: collector.waitForAudit,
    async stop() {
      await stack.stop();
      await issuers.close();
    },
  };
}
