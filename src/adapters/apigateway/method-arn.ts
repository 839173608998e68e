import { bestTemplateFor } from "../../decision/route-template.js";

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` (API Gateway docs,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html).
 * API Gateway puts the request path into the ARN as it came, so the path may hold any character,
 * colons included (`/wiki/2021-08-01T00:00:00Z`): the ARN is split on its first five colons only.
 */
export interface MethodArn {
  prefix: string; // arn:aws:execute-api:region:account:apiId
  stage: string;
  method: string;
  path: string; // without leading slash
}

export function parseMethodArn(arn: string): MethodArn | undefined {
  let end = -1;
  for (let i = 0; i < 5; i++) {
    end = arn.indexOf(":", end + 1);
    if (end < 0) return undefined;
  }
  const head = arn.slice(0, end).split(":");
  if (head[0] !== "arn" || head[2] !== "execute-api") return undefined;
  const [apiId, stage, method, ...rest] = arn.slice(end + 1).split("/");
  if (!apiId || !stage || !method) return undefined;
  return { prefix: `${arn.slice(0, end)}:${apiId}`, stage, method, path: rest.join("/") };
}

/**
 * For TOKEN authorizers, which receive no route template: the catalog template API Gateway routes the
 * ARN's path to (most specific wins: literal > `{param}` > `{proxy+}`), so the TOKEN and REQUEST
 * authorizers decide the same route for the same path.
 */
export function matchRouteTemplate(arnPath: string, templates: readonly string[]): string | undefined {
  // `arnPath` is what follows `{METHOD}/` in the ARN: no leading slash to strip, every `/` a separator.
  return bestTemplateFor(arnPath === "" ? [] : arnPath.split("/"), templates);
}
