/** Authorizer events as API Gateway sends them (and as serverless-offline sends them), for adapter tests. */

export const METHOD_ARN_PREFIX = "arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod";

/** A real REST (v1) REQUEST authorizer event: client header case, multiValueHeaders, identity block. */
export function restRequestEvent(o: {
  method?: string;
  resource?: string;
  path?: string;
  pathParameters?: Record<string, string> | null;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  sourceIp?: string;
  vpceId?: string;
  /** API Gateway's own name for the API (the custom domain name, if any). */
  domainName?: string;
} = {}): Record<string, unknown> {
  const method = o.method ?? "GET";
  const path = o.path ?? "/wiki/home";
  const headers = o.headers ?? {};
  return {
    type: "REQUEST",
    methodArn: `${METHOD_ARN_PREFIX}/${method}${path}`,
    resource: o.resource ?? "/wiki/{page}",
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: o.multiValueHeaders ?? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    pathParameters: o.pathParameters === undefined ? { page: "home" } : o.pathParameters,
    stageVariables: {},
    requestContext: {
      accountId: "123456789012",
      apiId: "abcdef1234",
      domainName: o.domainName ?? "abcdef1234.execute-api.eu-west-1.amazonaws.com",
      httpMethod: method,
      path: `/prod${path}`,
      requestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
      resourcePath: o.resource ?? "/wiki/{page}",
      stage: "prod",
      identity: { sourceIp: o.sourceIp ?? "203.0.113.7", userAgent: "curl/8.5.0", ...(o.vpceId ? { vpceId: o.vpceId } : {}) },
    },
  };
}

/** serverless-offline's variant: null maps, no identity block, no stageVariables. */
export function offlineRestRequestEvent(headers: Record<string, string>): Record<string, unknown> {
  return {
    type: "REQUEST",
    methodArn: "arn:aws:execute-api:us-east-1:random-account-id:random-api-id/dev/GET/wiki/home",
    resource: "/wiki/{page}",
    path: "/wiki/home",
    httpMethod: "GET",
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: { page: "home" },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    requestContext: { accountId: "random-account-id", apiId: "random-api-id", requestId: "random-request-id", stage: "dev" },
  };
}

export function tokenEvent(token: string | undefined, method = "GET", path = "/status"): Record<string, unknown> {
  return { type: "TOKEN", methodArn: `${METHOD_ARN_PREFIX}/${method}${path}`, ...(token === undefined ? {} : { authorizationToken: token }) };
}

/** A real HTTP API (v2) authorizer event: lowercased header names, routeKey. */
export function httpApiEvent(o: { routeKey?: string; headers?: Record<string, string>; sourceIp?: string } = {}): Record<string, unknown> {
  const routeKey = o.routeKey ?? "GET /wiki/{page}";
  const [method] = routeKey.split(" ");
  return {
    version: "2.0",
    type: "REQUEST",
    routeArn: `arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/${method}/wiki/home`,
    identitySource: [o.headers?.authorization ?? ""],
    routeKey,
    rawPath: "/wiki/home",
    rawQueryString: "",
    headers: o.headers ?? {},
    requestContext: {
      accountId: "123456789012",
      apiId: "abcdef1234",
      domainName: "abcdef1234.execute-api.eu-west-1.amazonaws.com",
      http: { method, path: "/wiki/home", protocol: "HTTP/1.1", sourceIp: o.sourceIp ?? "203.0.113.7", userAgent: "curl/8.5.0" },
      requestId: "JKJaXmPLvHcESHA=",
      routeKey,
      stage: "$default",
      time: "23/Nov/2026:12:00:00 +0000",
      timeEpoch: 1795435200000,
    },
    pathParameters: { page: "home" },
  };
}
