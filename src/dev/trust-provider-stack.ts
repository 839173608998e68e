import { generateKeyPairSync } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { PdpConfig } from "../config/schema.js";
import { startLocalDynamo, type LocalDynamo } from "./dynamodb.js";
import { DEV_UPSTREAM_CLIENT_SECRET } from "./login-idp.js";

/**
 * The Verified Access trust provider's share of `npm start`: its DynamoDB (dynalite on loopback, with the
 * table serverless.yml names for stage `dev`), its ID-token signing keys (generated once into .dev-keys/),
 * and the environment serverless-offline passes to the tp-* functions. Nothing here runs in AWS.
 */

/** serverless.yml's table name for stage `dev` (`${self:service}-${sls:stage}-trust-provider`). */
export const DEV_TABLE = "zt-pdp-dev-trust-provider";

export interface DevTrustProvider {
  /** Environment for serverless-offline's functions. */
  env: Record<string, string>;
  issuer: string;
  dynamo: LocalDynamo;
  close(): Promise<void>;
  /** Lines for `npm start`'s tour; `avaFlags` (e.g. `--config FILE`) go on every `npm run ava` command. */
  tour(avaFlags?: string): string;
}

export async function startDevTrustProvider(o: { config: PdpConfig; keysDir: string; httpPort: number; dynamoPort?: number }): Promise<DevTrustProvider | undefined> {
  const tp = o.config.trustProvider;
  if (!tp) return undefined;
  const dynamo = await startLocalDynamo({ port: o.dynamoPort ?? 0, tableName: DEV_TABLE });
  // The issuer follows the port serverless-offline really listens on.
  const issuer = `http://127.0.0.1:${o.httpPort}`;
  return {
    issuer,
    dynamo,
    env: {
      ZTPDP_TP_ISSUER: issuer,
      ZTPDP_TP_SIGNING_KEYS: loadOrCreateSigningKeys(join(o.keysDir, "trust-provider.private.jwks.json")),
      ZTPDP_TP_UPSTREAM_CLIENT_SECRET: DEV_UPSTREAM_CLIENT_SECRET,
      ZTPDP_TP_DYNAMODB_ENDPOINT: dynamo.endpoint,
    },
    close: () => dynamo.close(),
    tour: (avaFlags = "") => {
      const ava = `npm run -s ava -- ${avaFlags ? `${avaFlags} ` : ""}`;
      return `
Verified Access trust provider (OIDC), issuer ${issuer}; its DynamoDB (dynalite): ${dynamo.endpoint}
  curl -s ${issuer}/.well-known/openid-configuration
  # sign in as AVA would (browser redirects through the dev IdP, device token header, code, userinfo, policy):
  ${ava}--user alice --device patched       # ALLOW: Employee on a patched, managed Mac
  ${ava}--user alice --device unpatched     # DENY
  ${ava}--user alice --device-user bob      # DENY: a device of another user
`;
    },
  };
}

/** One RS256 key, generated on first use (mode 0600, git-ignored folder), as a private JWKS. */
function loadOrCreateSigningKeys(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8");
  const jwk = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const text = JSON.stringify({ keys: [{ ...jwk, kid: `dev-tp-${Date.now().toString(36)}`, alg: "RS256" }] });
  writeFileSync(file, text, { mode: 0o600 });
  return text;
}
