import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/local-config.js";

// `serverless package` (osls) builds the CloudFormation template offline, without an AWS account. These
// tests read the generated template, so they check what would be deployed rather than serverless.yml's text.

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
let resources: Record<string, Resource>;
let outDir: string;

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), "ztpdp-package-"));
  const cli = join(ROOT, "node_modules/serverless/bin/serverless.js");
  await promisify(execFile)(process.execPath, [cli, "package", "--package", outDir], {
    cwd: ROOT,
    env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: "false", SLS_TELEMETRY_DISABLED: "1" },
    timeout: 90_000,
  });
  const template = JSON.parse(readFileSync(join(outDir, "cloudformation-template-update-stack.json"), "utf8")) as { Resources: Record<string, Resource> };
  resources = template.Resources;
}, 120_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

const TRUST_PROVIDER_ROUTES = [
  "GET /.well-known/openid-configuration",
  "GET /oauth2/jwks",
  "GET /oauth2/authorize",
  "POST /oauth2/authorize",
  "GET /oauth2/callback",
  "POST /oauth2/token",
  "GET /oauth2/userinfo",
  "POST /oauth2/userinfo",
];
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe("generated CloudFormation template", () => {
  it("wires the REST REQUEST authorizer on the Authorization header with caching off", () => {
    const rest = resources.RestAuthorizerApiGatewayAuthorizer!.Properties;
    expect(rest).toMatchObject({ Type: "REQUEST", IdentitySource: "method.request.header.Authorization", AuthorizerResultTtlInSeconds: 0 });
  });

  it("wires the REST TOKEN authorizer with caching off", () => {
    const token = resources.TokenAuthorizerApiGatewayAuthorizer!.Properties;
    expect(token).toMatchObject({ Type: "TOKEN", IdentitySource: "method.request.header.Authorization", AuthorizerResultTtlInSeconds: 0 });
  });

  it("wires the HTTP API authorizer: payload 2.0, simple responses, caching off", () => {
    const http = resources.HttpApiAuthorizerHttpAuthorizer!.Properties;
    expect(http).toMatchObject({
      AuthorizerType: "REQUEST",
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it("protects every demo API method with an authorizer", () => {
    const methods = ofType("AWS::ApiGateway::Method").filter(([, r]) => r.Properties.HttpMethod !== "OPTIONS");
    expect(methods.length).toBeGreaterThanOrEqual(8);
    for (const [, m] of methods) expect(m.Properties.AuthorizationType).toBe("CUSTOM");
    // The Verified Access trust provider's OpenID Connect endpoints are public by design (below).
    const routes = ofType("AWS::ApiGatewayV2::Route").filter(([, r]) => !TRUST_PROVIDER_ROUTES.includes(r.Properties.RouteKey as string));
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const [, r] of routes) expect(r.Properties.AuthorizationType).toBe("CUSTOM");
  });

  it("serves the Verified Access trust provider's endpoints without an authorizer, and only those", () => {
    const open = ofType("AWS::ApiGatewayV2::Route").filter(([, r]) => r.Properties.AuthorizationType !== "CUSTOM");
    expect(open.map(([, r]) => r.Properties.RouteKey).sort()).toEqual([...TRUST_PROVIDER_ROUTES].sort());
  });

  it("keeps the trust provider's state in a DynamoDB table with a TTL, reachable only by the tp-* functions' role", () => {
    const table = resources.TrustProviderTable!.Properties;
    expect(table).toMatchObject({ TableName: "zt-pdp-dev-trust-provider", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true } });
    const tpFunctions = ofType("AWS::Lambda::Function").filter(([, f]) => String(f.Properties.Handler).startsWith("dist/tp-"));
    expect(tpFunctions).toHaveLength(4);
    for (const [, f] of tpFunctions) expect(f.Properties.Role).toEqual({ "Fn::GetAtt": ["TrustProviderRole", "Arn"] });
    const mentionsTable = (r: Resource) => JSON.stringify(r.Properties).includes("TrustProviderTable");
    const rolesWithTable = ofType("AWS::IAM::Role").filter(([, r]) => mentionsTable(r));
    expect(rolesWithTable.map(([name]) => name)).toEqual(["TrustProviderRole"]);
    const statement = JSON.stringify(resources.TrustProviderRole!.Properties.Policies);
    expect(statement).toContain("dynamodb:DeleteItem");
    expect(statement).not.toContain("dynamodb:*");
    expect(statement).not.toContain("dynamodb:Scan");
  });

  it("runs every function on nodejs22.x, arm64", () => {
    const functions = ofType("AWS::Lambda::Function");
    expect(functions.length).toBe(8);
    for (const [, f] of functions) expect(f.Properties).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"] });
  });

  it("grants no IAM statement on a `*` resource", () => {
    for (const [, role] of ofType("AWS::IAM::Role")) {
      const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Resource: unknown }[] } }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of list) expect(resource).not.toBe("*");
      }
    }
  });

  it("sets log retention on every function's log group", () => {
    const groups = ofType("AWS::Logs::LogGroup");
    expect(groups.length).toBe(8);
    for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it("ships the Cedar wasm next to each authorizer bundle, without source maps", () => {
    for (const name of ["restAuthorizer", "tokenAuthorizer", "httpAuthorizer"]) {
      const zip = readFileSync(join(outDir, `${name}.zip`));
      const listing = zip.toString("latin1");
      expect(listing).toContain("cedar_wasm_bg.wasm");
      expect(listing).toContain("index.mjs");
      expect(listing).not.toContain("index.mjs.map");
      expect(statSync(join(outDir, `${name}.zip`)).size).toBeGreaterThan(100_000);
    }
  });

  it("keeps the demo API's zip free of the engine, config and policies it does not use", () => {
    const listing = readFileSync(join(outDir, "demoApi.zip")).toString("latin1");
    expect(listing).toContain("index.mjs");
    expect(listing).not.toContain("cedar_wasm_bg.wasm");
    expect(listing).not.toContain("pdp.yaml");
  });
});
