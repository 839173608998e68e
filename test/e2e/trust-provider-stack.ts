import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AuditRecord } from "../../src/audit/record.js";
import type { LocalDynamo } from "../../src/dev/dynamodb.js";
import { freeLoopbackPort, startDevIssuers, type DevIssuers } from "../../src/dev/issuers.js";
import { ephemeralDevKeys, type DevKeys } from "../../src/dev/keys.js";
import { DEV_UPSTREAM_CLIENT_SECRET } from "../../src/dev/login-idp.js";
import { startOffline, type OfflineStack } from "../../src/dev/offline.js";
import { auditCollector } from "../support/audit-collector.js";
import { ROOT, writeLocalConfig } from "../support/local-config.js";
import { signingJwks, startTestDynamo, TEST_TABLE } from "../support/trust-provider.js";

/**
 * The Verified Access trust provider end to end: the development IdP (with its sign-in endpoints) and MDM
 * on a free loopback port, dynalite with the state table, and serverless-offline running the built tp-*
 * bundles behind its HTTP API emulation, with a config written for those ports. Nothing is mocked.
 */

export const AVA_CLIENT_ID = "ava-test";
export const AVA_CLIENT_SECRET = "ava-test-secret-0123456789abcdefghijklmnopqrstuv";
export const AVA_REDIRECT_URI = "https://wiki.example.com/oauth2/idpresponse";

export interface TrustProviderStack {
  /** Our issuer: the HTTP API's base URL. */
  issuer: string;
  keys: DevKeys;
  signingKeys: { keys: Record<string, unknown>[] };
  idpIssuer: string;
  providerIssuer(name: string): string;
  maxAgeSeconds: number;
  audits: AuditRecord[];
  waitForAudit(match: (r: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord>;
  stop(): Promise<void>;
}

export async function startTrustProviderStack(): Promise<TrustProviderStack> {
  if (!existsSync(join(ROOT, "dist/tp-authorize/index.mjs"))) {
    throw new Error("dist/ is missing: the end-to-end tests run the built bundles (`npm test` builds first)");
  }
  const issuerPort = await freeLoopbackPort();
  const httpPort = await freeLoopbackPort();
  const issuer = `http://127.0.0.1:${httpPort}`;
  const { createHash } = await import("node:crypto");
  const { loaded, path, cleanup } = writeLocalConfig(`http://127.0.0.1:${issuerPort}`, (doc) => {
    const tp = doc.trustProvider as Record<string, unknown>;
    tp.issuer = issuer;
    tp.clients = [
      { clientId: AVA_CLIENT_ID, clientSecretSha256: createHash("sha256").update(AVA_CLIENT_SECRET).digest("hex"), redirectUris: [AVA_REDIRECT_URI] },
    ];
    tp.store = { tableName: TEST_TABLE };
  });
  const keys = ephemeralDevKeys();
  const signingKeys = signingJwks(2);
  let idp: DevIssuers | undefined;
  let dynamo: LocalDynamo | undefined;
  let offline: OfflineStack | undefined;
  const collector = auditCollector();
  const stop = async () => {
    await offline?.stop();
    await dynamo?.close();
    await idp?.close();
    cleanup();
  };
  try {
    idp = await startDevIssuers({ config: loaded.config, keys, port: issuerPort });
    dynamo = await startTestDynamo();
    offline = await startOffline({
      root: ROOT,
      httpPort,
      lambdaPort: await freeLoopbackPort(),
      env: {
        ZTPDP_CONFIG: path,
        POWERTOOLS_METRICS_DISABLED: "true",
        ZTPDP_TP_SIGNING_KEYS: JSON.stringify(signingKeys),
        ZTPDP_TP_UPSTREAM_CLIENT_SECRET: DEV_UPSTREAM_CLIENT_SECRET,
        ZTPDP_TP_DYNAMODB_ENDPOINT: dynamo.endpoint,
        ZTPDP_TP_TABLE: TEST_TABLE,
      },
      onAudit: collector.push,
      readyTimeoutMs: 90_000,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const { config } = loaded;
  return {
    issuer,
    keys,
    signingKeys,
    idpIssuer: config.issuers[0]!.issuer,
    providerIssuer: (name) => config.devicePosture.providers.find((p) => p.name === name)!.issuer,
    maxAgeSeconds: config.devicePosture.maxAgeSeconds,
    audits: collector.audits,
    waitForAudit: collector.waitForAudit,
    stop,
  };
}
