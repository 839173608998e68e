import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ephemeralDevKeys, type DevSigningKey } from "../src/dev/keys.js";
import { signJws } from "../src/dev/mint.js";

/**
 * Everything a benchmark process needs to run the real authorizer offline: an IdP and an MDM signing key
 * generated at run time, their JWKS (and OIDC discovery, for Cedarling) served on 127.0.0.1, a config file
 * pointing at them, and a REST REQUEST authorizer event carrying a user token and a device token.
 */

/** The repository root: the first folder above this (bundled) file holding package.json and policies/. */
export const REPO = findRepo(dirname(fileURLToPath(import.meta.url)));

function findRepo(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "policies"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above \`${from}\``);
  }
}
export const AUDIENCE = "zt-pdp-api";
export const DEVICE_AUDIENCE = "zt-pdp-device";

export interface Fixture {
  origin: string;
  issuer: string;
  deviceIssuer: string;
  user: DevSigningKey;
  device: DevSigningKey;
  configFile: string;
  userToken(opts?: { groups?: string[]; sub?: string }): string;
  deviceToken(sub?: string): string;
  event(userToken: string, deviceToken: string, path?: string): Record<string, unknown>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  /** Policy directory (default: the reference policies as bundled, with their build-time validation). */
  policyDir?: string;
  /** Extra routes for generated policy sets. */
  extraRoutes?: string;
  /** A whole `policy:` section instead of the local engine's (the Verified Permissions engines). */
  policyBlock?: string;
}

export async function startFixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const { idp: user, mdm: device } = ephemeralDevKeys();
  // Two origins: the IdP and the MDM are different parties (and Cedarling keys trusted issuers by origin).
  const idp = await serve((path, origin) => {
    if (path === "/idp/.well-known/jwks.json") return { keys: [user.publicJwk] };
    // OIDC discovery, for peers that find keys that way (Cedarling).
    if (path === "/idp/.well-known/openid-configuration") {
      return { issuer: `${origin}/idp`, jwks_uri: `${origin}/idp/.well-known/jwks.json`, authorization_endpoint: `${origin}/idp/authorize`, token_endpoint: `${origin}/idp/token` };
    }
    return undefined;
  });
  const mdm = await serve((path, origin) => {
    if (path === "/mdm/.well-known/jwks.json") return { keys: [device.publicJwk] };
    if (path === "/mdm/jamf/.well-known/openid-configuration") {
      return { issuer: `${origin}/mdm/jamf`, jwks_uri: `${origin}/mdm/.well-known/jwks.json`, authorization_endpoint: `${origin}/mdm/authorize`, token_endpoint: `${origin}/mdm/token` };
    }
    return undefined;
  });
  const origin = idp.origin;
  const issuer = `${idp.origin}/idp`;
  const deviceIssuer = `${mdm.origin}/mdm/jamf`;

  const dir = mkdtempSync(join(tmpdir(), "ztpdp-bench-"));
  mkdirSync(join(dir, "config"));
  copyFileSync(join(REPO, "policies/patch-baseline.yaml"), join(dir, "patch-baseline.yaml"));
  const configFile = join(dir, "config", "pdp.yaml");
  writeFileSync(
    configFile,
    `version: 1
issuers:
  - name: bench-idp
    issuer: ${issuer}
    jwksUri: ${issuer}/.well-known/jwks.json
    audiences: [${AUDIENCE}]
    algorithms: [RS256]
    types: [at+jwt]
    tokenUse: access
    groupClaim: groups
    principal: {}
devicePosture:
  maxAgeSeconds: 3600
  patchBaselineFile: ${join(dir, "patch-baseline.yaml")}
  providers:
    - name: jamf
      format: jamf
      issuer: ${deviceIssuer}
      jwksUri: ${mdm.origin}/mdm/.well-known/jwks.json
      audiences: [${DEVICE_AUDIENCE}]
      algorithms: [ES256]
      types: [device-posture+jwt]
      binding: { deviceClaim: user_sub, userClaim: sub }
routes:
  - { path: "/wiki/{page}", application: wiki, classification: internal }
  - { path: /payments/charges, application: payments, classification: confidential }
  - { path: "/hr/records/{employeeId}", application: hr, classification: restricted }
  - { path: /status, application: status, classification: public }
${opts.extraRoutes ?? ""}
${opts.policyBlock ?? `policy:\n  engine: local\n  dir: ${opts.policyDir ?? join(REPO, "dist/rest-authorizer/policies")}`}
development:
  allowInsecureLoopbackJwks: true
`,
  );

  return {
    origin,
    issuer,
    deviceIssuer,
    user,
    device,
    configFile,
    userToken: ({ groups = ["Employees"], sub = "alice" } = {}) => {
      const iat = Math.floor(Date.now() / 1000);
      return signJws(user, { typ: "at+jwt" }, {
        iss: issuer, aud: AUDIENCE, sub, client_id: "portal", groups, amr: ["pwd", "mfa"],
        email: `${sub}@example.com`, iat, exp: iat + 3600, jti: randomUUID(),
      });
    },
    deviceToken: (sub = "alice") => {
      const iat = Math.floor(Date.now() / 1000);
      return signJws(device, { typ: "device-posture+jwt" }, {
        iss: deviceIssuer, aud: DEVICE_AUDIENCE, sub: `device-${sub}`, user_sub: sub, risk: "LOW", osv: "15.7.1",
        iat, exp: iat + 3600, jti: randomUUID(),
      });
    },
    event: (userToken, deviceToken, path = "/wiki/{page}") => restEvent(userToken, deviceToken, path),
    close: async () => {
      await idp.close();
      await mdm.close();
    },
  };
}

/** A JSON-only HTTP server on 127.0.0.1 (a free port); `route` answers a path with a body or undefined (404). */
async function serve(route: (path: string, origin: string) => unknown): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = "";
  const server: Server = createServer((req, res) => {
    const body = route(new URL(req.url ?? "/", "http://x").pathname, origin);
    if (body === undefined) return void res.writeHead(404).end();
    const text = JSON.stringify(body);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A REST API (v1) REQUEST authorizer event as API Gateway sends it. */
export function restEvent(userToken: string, deviceToken: string, resource: string): Record<string, unknown> {
  const path = resource.replace("{page}", "Home").replace("{employeeId}", "e1");
  const headers = {
    Authorization: `Bearer ${userToken}`,
    "X-Device-Token": deviceToken,
    Host: "api.example.com",
    "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_1) bench",
  };
  return {
    type: "REQUEST",
    methodArn: `arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET${path}`,
    resource,
    path,
    httpMethod: "GET",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: resource === "/wiki/{page}" ? { page: "Home" } : null,
    stageVariables: null,
    requestContext: {
      path: `/prod${path}`,
      accountId: "123456789012",
      resourceId: "abc123",
      stage: "prod",
      requestId: randomUUID(),
      identity: { sourceIp: "10.20.30.40", userAgent: headers["User-Agent"], vpceId: null },
      resourcePath: resource,
      httpMethod: "GET",
      apiId: "abcdef1234",
      domainName: "api.example.com",
    },
  };
}

/** What middy and Powertools read from the Lambda context. */
export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: "ztpdp-rest-authorizer",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:ztpdp-rest-authorizer",
  memoryLimitInMB: "512",
  awsRequestId: "00000000-0000-0000-0000-000000000000",
  logGroupName: "/aws/lambda/ztpdp-rest-authorizer",
  logStreamName: "bench",
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
