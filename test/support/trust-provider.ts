import { generateKeyPairSync } from "node:crypto";
import { startLocalDynamo, type LocalDynamo } from "../../src/dev/dynamodb.js";

/** A private JWKS as an operator would put in the signing secret: `count` RSA keys, the first one signs. */
export function signingJwks(count = 1, kidPrefix = "tp-test"): { keys: Record<string, unknown>[] } {
  return {
    keys: Array.from({ length: count }, (_, i) => ({
      ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }),
      kid: `${kidPrefix}-${i + 1}`,
      alg: "RS256",
    })),
  };
}

/** The name serverless.yml gives the table for stage `dev` (ZTPDP_TP_TABLE), which serverless-offline passes on. */
export const TEST_TABLE = "zt-pdp-dev-trust-provider";

/** dynalite on a free loopback port, with the trust provider's table. */
export function startTestDynamo(): Promise<LocalDynamo> {
  return startLocalDynamo({ tableName: TEST_TABLE });
}
