import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { validateTemplate } from "../../src/deploy/cfn-validate.js";
import { ROOT } from "../support/local-config.js";

// The offline CloudFormation checks behind `npm run package`, on the attach-to-your-API snippets as
// shipped and on broken copies of them.

const snippet = (name: string) => parse(readFileSync(join(ROOT, "deploy/attach", name), "utf8")) as Record<string, any>;

describe("README \"Attach to an existing API\"", () => {
  it.each(["rest-api.yml", "http-api.yml"])("shows deploy/attach/%s exactly as validated", (name) => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("### Attach to an existing API"), readme.indexOf("### Operating it"));
    const shown = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(shown).toContain(readFileSync(join(ROOT, "deploy/attach", name), "utf8"));
  });
});

describe("the attach snippets' cache key", () => {
  // With a TTL the key must hold every decision input: the same rule as the stack's own authorizers.
  const { authorizerCache } = createRequire(import.meta.url)("../../scripts/authorizer-cache.cjs") as {
    authorizerCache: { rest(ttl: number, endpointType?: string): { identitySource: string }; http(ttl: number): { identitySource: string[] } };
  };
  it("is scripts/authorizer-cache.cjs's, with caching on and off", () => {
    const rest = snippet("rest-api.yml").Resources.ZtPdpAuthorizer.Properties.IdentitySource["Fn::If"];
    expect([rest[1], rest[2]]).toEqual([authorizerCache.rest(300).identitySource, authorizerCache.rest(0).identitySource]);
    const http = snippet("http-api.yml").Resources.ZtPdpAuthorizer.Properties.IdentitySource["Fn::If"];
    expect([http[1], http[2]]).toEqual([authorizerCache.http(300).identitySource, authorizerCache.http(0).identitySource]);
  });
});

describe("validateTemplate", () => {
  it.each(["rest-api.yml", "http-api.yml"])("accepts deploy/attach/%s", (name) => {
    expect(validateTemplate(snippet(name), name)).toEqual([]);
  });

  it("reports an unknown property, a missing required one and a wrongly typed value", () => {
    const t = snippet("rest-api.yml");
    t.Resources.ZtPdpAuthorizer.Properties.IdentitySources = "x";
    delete t.Resources.ZtPdpAuthorizer.Properties.RestApiId;
    t.Resources.ZtPdpAuthorizer.Properties.AuthorizerResultTtlInSeconds = "five";
    const problems = validateTemplate(t, "rest-api.yml");
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rest-api\.yml: Resources\.ZtPdpAuthorizer\.Properties\.IdentitySources: unknown property/),
        "rest-api.yml: Resources.ZtPdpAuthorizer.Properties: required property `RestApiId` is missing",
        'rest-api.yml: Resources.ZtPdpAuthorizer.Properties.AuthorizerResultTtlInSeconds: expected Integer, got `"five"`',
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it("reports references that do not resolve: Ref, GetAtt attribute, Sub variable, condition, resource type", () => {
    const t = snippet("http-api.yml");
    t.Resources.ZtPdpAuthorizer.Properties.ApiId = { Ref: "HttpApi" };
    t.Resources.ZtPdpInvokePermission.Properties.SourceArn = { "Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiId}/authorizers/*" };
    t.Resources.ZtPdpAuthorizer.Properties.IdentitySource["Fn::If"][0] = "Cache";
    t.Outputs.Arn = { Value: { "Fn::GetAtt": ["ZtPdpAuthorizer", "Arn"] } };
    t.Resources.Extra = { Type: "AWS::ApiGatewayV2::Authoriser", Properties: {} };
    expect(validateTemplate(t, "http-api.yml")).toEqual([
      "http-api.yml: Resources.ZtPdpAuthorizer.Properties.ApiId: Ref to unknown `HttpApi`",
      "http-api.yml: Resources.ZtPdpAuthorizer.Properties.IdentitySource: unknown condition `Cache`",
      "http-api.yml: Resources.ZtPdpInvokePermission.Properties.SourceArn: Fn::Sub variable `${ApiId}` is neither a parameter, a resource nor a pseudo parameter",
      "http-api.yml: Resources.Extra.Type: unknown resource type `AWS::ApiGatewayV2::Authoriser`",
      "http-api.yml: Outputs.Arn.Value: `AWS::ApiGatewayV2::Authorizer` has no attribute `Arn`",
    ]);
  });
});
