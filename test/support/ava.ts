import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { generateTestKey, type TestKey } from "./keys.js";
import { signJwt } from "./jwt.js";

/**
 * AWS Verified Access's side of the signed `x-amzn-ava-user-context` header, for tests: a key service on
 * 127.0.0.1 serving each key's PEM at `/<region>/<kid>` (AWS serves `https://public-keys.prod.
 * verified-access.<region>.amazonaws.com/<kid>`), and headers signed ES384 as AVA signs them
 * (https://docs.aws.amazon.com/verified-access/latest/ug/user-claims-passing.html).
 */

export const INSTANCE_ARN = "arn:aws:ec2:us-east-1:123456789012:verified-access-instance/vai-0123456789abcdef0";
export const OTHER_INSTANCE_ARN = "arn:aws:ec2:us-east-1:123456789012:verified-access-instance/vai-0fedcba987654321f";
export const EU_INSTANCE_ARN = "arn:aws:ec2:eu-west-1:123456789012:verified-access-instance/vai-0aaaaaaaaaaaaaaa1";
export const OIDC_ISSUER = "https://idp.example.com/oauth2/default";
export const IDC_ISSUER = "arn:aws:ec2:us-east-1:123456789012:verified-access-trust-provider/vatp-0123456789abcdef0";

export interface AvaKeyServer {
  /** `http://127.0.0.1:<port>/{region}`: the signed-header source's `keyUrl`. */
  keyUrl: string;
  /** A new P-384 key (kid: a UUID, as AWS's) published for `region`. */
  addKey(region?: string): TestKey;
  requests(): number;
  close(): Promise<void>;
}

export async function startAvaKeyServer(): Promise<AvaKeyServer> {
  const keys = new Map<string, TestKey>();
  let count = 0;
  const server = createServer((req, res) => {
    count += 1;
    const key = keys.get(req.url ?? "");
    if (!key) {
      // AWS's key endpoint is S3-backed: an unknown key id is a 403/404 with an XML body.
      res.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>NoSuchKey</Code></Error>");
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream" }).end(key.publicKey.export({ type: "spki", format: "pem" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    keyUrl: `${origin}/{region}`,
    addKey(region = "us-east-1") {
      const key = generateTestKey("ES384", { kid: randomUUID() });
      keys.set(`/${region}/${key.kid}`, key);
      return key;
    },
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface AvaHeaderOptions {
  key: TestKey;
  payload?: Record<string, unknown>;
  signer?: string;
  iss?: string;
  /** Seconds from now (default 120, as AVA). */
  expiresIn?: number;
  header?: Record<string, unknown>;
  signingKey?: TestKey;
}

/** A header as AVA sends it: ES384, `typ`, `kid`, `signer`, `iss`, `exp` (and `client`) in the JOSE header. */
export function signAvaHeader(o: AvaHeaderOptions): string {
  const exp = Math.floor(Date.now() / 1000) + (o.expiresIn ?? 120);
  return signJwt({
    key: o.key,
    header: { typ: "JWT", kid: o.key.kid, alg: "ES384", iss: o.iss ?? OIDC_ISSUER, client: "verified-access-client", signer: o.signer ?? INSTANCE_ARN, exp, ...o.header },
    payload: o.payload ?? { sub: "00u1alice", email: "alice@example.com", email_verified: true, groups: ["engineering"] },
    ...(o.signingKey ? { signingKey: o.signingKey.privateKey } : {}),
  });
}
