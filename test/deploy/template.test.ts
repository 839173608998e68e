import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagingProject, readTemplate, type PackagingProject } from "./project.js";

// `serverless package` (osls) builds the CloudFormation template offline, without an AWS account. These
// tests read the generated template, so they check what would be deployed rather than serverless.yml's
// text. One copy of the project, packaged twice (with and without the demo API) and refused three times.

type Template = ReturnType<typeof readTemplate>;
type Resource = Template["Resources"][string];
let project: PackagingProject;
let withDemo: Template;
let demoOut: string;
let alone: Template;
const refusals: Record<string, { code: number; output: string }> = {};
const notices: Record<string, string> = {};
const CONFIG = "config/examples/production.yaml";

beforeAll(async () => {
  project = packagingProject();
  demoOut = join(project.root, "out-demo");
  const soloOut = join(project.root, "out-alone");
  const demo = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--param", "demo=true", "--package", demoOut]);
  expect(demo.code, demo.output).toBe(0);
  const solo = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--package", soloOut]);
  expect(solo.code, solo.output).toBe(0);
  withDemo = readTemplate(demoOut);
  alone = readTemplate(soloOut);
  refusals.noConfig = await project.serverless(["package", "--stage", "prod", "--package", join(project.root, "out-x")]);
  refusals.devConfig = await project.serverless(["package", "--stage", "prod", "--param", "config=config/pdp.yaml", "--package", join(project.root, "out-y")]);
  notices.solo = solo.output;
  // Last: a broken attach snippet in this copy fails packaging.
  project.write("deploy/attach/broken.yml", "Resources:\n  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n      FunctionName: { Ref: AuthorizerArn }\n");
  refusals.brokenSnippet = await project.serverless(["package", "--stage", "prod", "--param", `config=${CONFIG}`, "--package", join(project.root, "out-z")]);
}, 300_000);
afterAll(() => project?.cleanup());

const ofType = (t: Template, type: string): Array<[string, Resource]> => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
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
const AUTHORIZERS = ["HttpAuthorizerLambdaFunction", "RestAuthorizerLambdaFunction", "TokenAuthorizerLambdaFunction"];
const TRUST_PROVIDER = ["TpAuthorizeLambdaFunction", "TpDiscoveryLambdaFunction", "TpTokenLambdaFunction", "TpUserinfoLambdaFunction"];

describe("generated CloudFormation template, with --param demo=true", () => {
  it("wires the REST REQUEST authorizer on the Authorization header with caching off", () => {
    const rest = withDemo.Resources.RestAuthorizerApiGatewayAuthorizer!.Properties;
    expect(rest).toMatchObject({ Type: "REQUEST", IdentitySource: "method.request.header.Authorization", AuthorizerResultTtlInSeconds: 0 });
  });

  it("wires the REST TOKEN authorizer with caching off", () => {
    const token = withDemo.Resources.TokenAuthorizerApiGatewayAuthorizer!.Properties;
    expect(token).toMatchObject({ Type: "TOKEN", IdentitySource: "method.request.header.Authorization", AuthorizerResultTtlInSeconds: 0 });
  });

  it("wires the HTTP API authorizer: payload 2.0, simple responses, caching off", () => {
    const http = withDemo.Resources.HttpApiAuthorizerHttpAuthorizer!.Properties;
    expect(http).toMatchObject({
      AuthorizerType: "REQUEST",
      AuthorizerPayloadFormatVersion: "2.0",
      EnableSimpleResponses: true,
      IdentitySource: ["$request.header.Authorization"],
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it("protects every demo API method with an authorizer", () => {
    const methods = ofType(withDemo, "AWS::ApiGateway::Method").filter(([, r]) => r.Properties.HttpMethod !== "OPTIONS");
    expect(methods.length).toBeGreaterThanOrEqual(8);
    for (const [, m] of methods) expect(m.Properties.AuthorizationType).toBe("CUSTOM");
    // The Verified Access trust provider's OpenID Connect endpoints are public by design (below).
    const routes = ofType(withDemo, "AWS::ApiGatewayV2::Route").filter(([, r]) => !TRUST_PROVIDER_ROUTES.includes(r.Properties.RouteKey as string));
    expect(routes.length).toBeGreaterThanOrEqual(6);
    for (const [, r] of routes) expect(r.Properties.AuthorizationType).toBe("CUSTOM");
  });

  it("serves the Verified Access trust provider's endpoints without an authorizer, and only those", () => {
    const open = ofType(withDemo, "AWS::ApiGatewayV2::Route").filter(([, r]) => r.Properties.AuthorizationType !== "CUSTOM");
    expect(open.map(([, r]) => r.Properties.RouteKey).sort()).toEqual([...TRUST_PROVIDER_ROUTES].sort());
  });

  it("keeps the trust provider's state in a DynamoDB table with a TTL, reachable only by the tp-* functions' role", () => {
    const table = withDemo.Resources.TrustProviderTable!.Properties;
    expect(table).toMatchObject({ TableName: "zt-pdp-prod-trust-provider", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true } });
    const tpFunctions = ofType(withDemo, "AWS::Lambda::Function").filter(([, f]) => String(f.Properties.Handler).startsWith("dist/tp-"));
    expect(tpFunctions).toHaveLength(4);
    for (const [, f] of tpFunctions) expect(f.Properties.Role).toEqual({ "Fn::GetAtt": ["TrustProviderRole", "Arn"] });
    const mentionsTable = (r: Resource) => JSON.stringify(r.Properties).includes("TrustProviderTable");
    const rolesWithTable = ofType(withDemo, "AWS::IAM::Role").filter(([, r]) => mentionsTable(r));
    expect(rolesWithTable.map(([name]) => name)).toEqual(["TrustProviderRole"]);
    const statement = JSON.stringify(withDemo.Resources.TrustProviderRole!.Properties.Policies);
    expect(statement).toContain("dynamodb:DeleteItem");
    expect(statement).not.toContain("dynamodb:*");
    expect(statement).not.toContain("dynamodb:Scan");
  });

  it("runs every function on nodejs22.x, arm64, with log retention", () => {
    const functions = ofType(withDemo, "AWS::Lambda::Function");
    expect(functions.length).toBe(8);
    for (const [, f] of functions) expect(f.Properties).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"] });
    const groups = ofType(withDemo, "AWS::Logs::LogGroup");
    expect(groups.length).toBe(8);
    for (const [, g] of groups) expect(g.Properties.RetentionInDays).toBe(30);
  });

  it("grants no IAM statement on a `*` resource", () => {
    for (const [, role] of ofType(withDemo, "AWS::IAM::Role")) {
      const policies = (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: { Resource: unknown }[] } }[];
      for (const statement of policies.flatMap((p) => p.PolicyDocument.Statement)) {
        const list = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const resource of list) expect(resource).not.toBe("*");
      }
    }
  });

  it("ships the Cedar wasm in each authorizer zip, and keeps the demo API's zip free of engine, config and policies", () => {
    for (const name of ["restAuthorizer", "tokenAuthorizer", "httpAuthorizer"]) {
      const listing = readFileSync(join(demoOut, `${name}.zip`)).toString("latin1");
      expect(listing).toContain("cedar_wasm_bg.wasm");
      expect(listing).not.toContain("index.mjs.map");
      expect(statSync(join(demoOut, `${name}.zip`)).size).toBeGreaterThan(100_000);
    }
    // The trust provider's zips carry the same config and its patch baseline, no policies and no engine.
    for (const name of ["tpDiscovery", "tpAuthorize", "tpToken", "tpUserinfo"]) {
      const listing = readFileSync(join(demoOut, `${name}.zip`)).toString("latin1");
      expect(listing).toContain(`${CONFIG}`);
      expect(listing).toContain("policies/patch-baseline.yaml");
      expect(listing).toContain("ztpdp-bundle.json");
      expect(listing).not.toContain(".cedar");
      expect(listing).not.toContain("config/pdp.yaml");
    }
    const demo = readFileSync(join(demoOut, "demoApi.zip")).toString("latin1");
    expect(demo).toContain("index.mjs");
    expect(demo).not.toContain("cedar_wasm_bg.wasm");
    expect(demo).not.toContain(".yaml");
  });
});

describe("generated CloudFormation template, authorizers alone (the default)", () => {
  it("deploys the three authorizers (and the trust provider), nothing of the demo API", () => {
    expect(ofType(alone, "AWS::Lambda::Function").map(([id]) => id).sort()).toEqual([...AUTHORIZERS, ...TRUST_PROVIDER].sort());
    for (const type of ["AWS::ApiGateway::RestApi", "AWS::ApiGateway::Authorizer", "AWS::ApiGatewayV2::Authorizer"]) {
      expect(ofType(alone, type)).toEqual([]);
    }
    // The only HTTP API routes are the trust provider's public endpoints.
    expect(ofType(alone, "AWS::ApiGatewayV2::Route").map(([, r]) => r.Properties.RouteKey).sort()).toEqual([...TRUST_PROVIDER_ROUTES].sort());
  });

  it("outputs and exports each authorizer function's ARN", () => {
    for (const fn of ["RestAuthorizer", "TokenAuthorizer", "HttpAuthorizer"]) {
      expect(alone.Outputs[`${fn}FunctionArn`]).toEqual({
        Description: expect.any(String),
        Value: { "Fn::GetAtt": [`${fn}LambdaFunction`, "Arn"] },
        Export: { Name: `zt-pdp-prod-${fn}FunctionArn` },
      });
    }
  });

  it("never deploys a local config path, and names the metrics' service dimension after the stage", () => {
    for (const [, f] of ofType(alone, "AWS::Lambda::Function").filter(([id]) => AUTHORIZERS.includes(id))) {
      const vars = (f.Properties.Environment as { Variables: Record<string, string> }).Variables;
      expect(vars).not.toHaveProperty("ZTPDP_CONFIG");
      expect(vars.POWERTOOLS_SERVICE_NAME).toBe("ztpdp-prod");
      expect(vars.POWERTOOLS_METRICS_NAMESPACE).toBe("ZtPdp");
    }
  });

  it("alarms on decision errors and on the decision latency p99, on the metrics the authorizers emit", () => {
    const alarms = Object.fromEntries(ofType(alone, "AWS::CloudWatch::Alarm").map(([, a]) => [a.Properties.MetricName, a.Properties]));
    const dimensions = [{ Name: "service", Value: "ztpdp-prod" }];
    expect(alarms.Error).toMatchObject({ Namespace: "ZtPdp", Dimensions: dimensions, Statistic: "Sum", ComparisonOperator: "GreaterThanOrEqualToThreshold", Threshold: 1, TreatMissingData: "notBreaching" });
    expect(alarms.DecisionLatency).toMatchObject({ Namespace: "ZtPdp", Dimensions: dimensions, ExtendedStatistic: "p99", Unit: "Milliseconds", Threshold: 100 });
    // Alarm actions only when an SNS topic is given (--param alarmTopicArn=...).
    expect(alarms.Error!.AlarmActions).toEqual({ "Fn::If": ["ZtPdpHasAlarmTopic", [""], { Ref: "AWS::NoValue" }] });
    expect(alone.Conditions?.ZtPdpHasAlarmTopic).toEqual({ "Fn::Not": [{ "Fn::Equals": ["", ""] }] });
  });

  it("has a dashboard: decisions by outcome, latency percentiles, top deny reasons, untrusted devices, alarms", () => {
    const [[, dashboard]] = ofType(alone, "AWS::CloudWatch::Dashboard") as [[string, Resource]];
    const body = (dashboard.Properties.DashboardBody as { "Fn::Sub": string })["Fn::Sub"];
    const referenced = [...body.matchAll(/\$\{([A-Za-z0-9.:]+)\}/g)].map((m) => m[1]!);
    for (const ref of referenced) expect(ref === "AWS::Region" || ref.split(".")[0]! in alone.Resources, ref).toBe(true);
    const { widgets } = JSON.parse(body.replace(/\$\{[^}]+\}/g, "X")) as { widgets: Array<{ type: string; properties: Record<string, unknown> }> };
    const metrics = widgets.filter((w) => w.type === "metric").flatMap((w) => w.properties.metrics as unknown[][]);
    expect(metrics.map((m) => m[1])).toEqual(expect.arrayContaining(["Allow", "Deny", "Unauthenticated", "Error", "DecisionLatency"]));
    expect(metrics.filter((m) => m[1] === "DecisionLatency").map((m) => (m[4] as { stat: string }).stat)).toContain("p99");
    const queries = widgets.filter((w) => w.type === "log").map((w) => w.properties.query as string);
    expect(queries.some((q) => q.includes('audit.outcome = "deny"') && q.includes("stats count(*) as denies by audit.errors.0.code"))).toBe(true);
    expect(widgets.some((w) => w.type === "alarm")).toBe(true);
  });

  it("saves Logs Insights queries over the authorizers' log groups for the common questions", () => {
    const queries = Object.fromEntries(ofType(alone, "AWS::Logs::QueryDefinition").map(([, q]) => [q.Properties.Name as string, q.Properties]));
    expect(Object.keys(queries).sort()).toEqual(
      ["denies-by-principal", "denies-by-reason", "denies-by-route", "errors", "unverified-devices", "why-was-this-request-denied"].map((n) => `zt-pdp-prod/${n}`),
    );
    for (const q of Object.values(queries)) {
      for (const group of q.LogGroupNames as Array<{ Ref: string }>) expect(alone.Resources[group.Ref]?.Type).toBe("AWS::Logs::LogGroup");
      expect(q.QueryString).toContain('message = "audit"');
    }
    expect(queries["zt-pdp-prod/why-was-this-request-denied"]!.QueryString).toMatch(/audit\.decisionId = "REPLACE_ME" or audit\.requestId = "REPLACE_ME"/);
    expect(queries["zt-pdp-prod/denies-by-route"]!.QueryString).toContain("by audit.request.method, audit.request.route");
    expect(queries["zt-pdp-prod/denies-by-principal"]!.QueryString).toContain("by audit.principal.type, audit.principal.id");
    expect(queries["zt-pdp-prod/denies-by-reason"]!.QueryString).toContain("by audit.outcome, audit.errors.0.code");
    expect(queries["zt-pdp-prod/unverified-devices"]!.QueryString).toContain("audit.device.verified = 0");
  });
});

describe("npm run package validates offline", () => {
  it("the generated template and the attach snippets against the CloudFormation resource specification", () => {
    expect(notices.solo).toContain("zt-pdp: the template and deploy/attach/*.yml are valid against the CloudFormation resource specification");
  });

  it("and fails on a snippet that would not deploy, naming the problems", () => {
    expect(refusals.brokenSnippet!.code).not.toBe(0);
    expect(refusals.brokenSnippet!.output).toContain("deploy/attach/broken.yml: Resources.Perm.Properties.FunctionName: Ref to unknown `AuthorizerArn`");
    expect(refusals.brokenSnippet!.output).toContain("deploy/attach/broken.yml: Resources.Perm.Properties: required property `Principal` is missing");
  });
});

describe("packaging refuses what must not be deployed", () => {
  it("a deployed stage without a named config", () => {
    expect(refusals.noConfig!.code).not.toBe(0);
    expect(refusals.noConfig!.output).toContain("`serverless package --stage prod` needs the config to ship: add `--param config=FILE`");
  });

  it("the development config on a deployed stage", () => {
    expect(refusals.devConfig!.code).not.toBe(0);
    expect(refusals.devConfig!.output).toContain("`config/pdp.yaml` is a development config (development.allowInsecureLoopbackJwks is set)");
  });
});
