import { principalLabel } from "../../audit/record-sanitize.js";
import { emptyRequest, type AccessRequest, type Authorizer, type Decision, type GatewayAnswer } from "../../decision/types.js";
import { parseAuthorizationHeader } from "../../identity/bearer.js";
import {
  httpApiAuthorizerEvent,
  restRequestAuthorizerEvent,
  restTokenAuthorizerEvent,
  type HttpApiAuthorizerEvent,
  type RestRequestAuthorizerEvent,
  type RestTokenAuthorizerEvent,
} from "./events.js";
import { headerValues, singleHeader } from "./headers.js";
import { allowStatements, type IamStatement } from "./allow-policy.js";
import { matchRouteTemplate, parseMethodArn } from "./method-arn.js";

/** The header carrying the signed device-posture token. */
export const DEVICE_TOKEN_HEADER = "x-device-token";

/** Thrown for a 401: API Gateway maps exactly this message to `401 Unauthorized` (REST and HTTP APIs). */
export class UnauthorizedError extends Error {
  constructor() {
    super("Unauthorized");
  }
}

/** Thrown for a server-side fault (5xx): never for anything a client sent. */
export class AuthorizerFaultError extends Error {}

export interface IamPolicyResponse {
  principalId: string;
  /** One Allow (with a Deny of what its glob over-covers, allow-policy.ts), or one Deny of the called ARN. */
  policyDocument: { Version: "2012-10-17"; Statement: IamStatement[] };
  context: Record<string, string>;
}

export interface SimpleResponse {
  isAuthorized: boolean;
  context: Record<string, string>;
}

function bearerFrom(values: string[]): { token: string | undefined } {
  const parsed = parseAuthorizationHeader(values.length > 0 ? values : undefined);
  // A malformed header is passed on as an unverifiable token so the core records the exact failure.
  return { token: parsed.ok ? parsed.token : values.length > 0 ? "" : undefined };
}

/**
 * `context.network.host` is the domain name API Gateway itself received the request on
 * (`requestContext.domainName`: the execute-api name or the custom domain name), never the client's Host
 * header, which the client chooses freely.
 */
export function restRequestToAccess(event: RestRequestAuthorizerEvent): AccessRequest {
  const auth = headerValues(event.headers, event.multiValueHeaders, "authorization");
  const device = headerValues(event.headers, event.multiValueHeaders, DEVICE_TOKEN_HEADER);
  const identity = event.requestContext?.identity;
  return {
    bearerToken: bearerFrom(auth).token,
    deviceToken: singleHeader(device),
    ...(device.length > 1 ? { deviceTokenDuplicated: true } : {}),
    method: event.httpMethod,
    routeTemplate: event.resource,
    pathParameters: { ...(event.pathParameters ?? {}) },
    host: event.requestContext?.domainName ?? undefined,
    sourceIp: identity?.sourceIp ?? undefined,
    vpceId: identity?.vpceId ?? undefined,
    userAgent: identity?.userAgent ?? singleHeader(headerValues(event.headers, event.multiValueHeaders, "user-agent")),
    ...(event.requestContext?.requestId ? { requestId: event.requestContext.requestId } : {}),
  };
}

export function httpApiToAccess(event: HttpApiAuthorizerEvent): AccessRequest {
  const http = event.requestContext.http;
  // routeKey is "METHOD /path/{param}" (or "$default"); the template never comes from the raw path.
  const space = event.routeKey.indexOf(" ");
  const routeTemplate = space > 0 ? event.routeKey.slice(space + 1) : event.routeKey;
  const device = headerValues(event.headers, undefined, DEVICE_TOKEN_HEADER);
  return {
    // v2 comma-joins duplicate headers, which the bearer parser refuses as malformed.
    bearerToken: bearerFrom(headerValues(event.headers, undefined, "authorization")).token,
    deviceToken: singleHeader(device),
    // A comma never occurs in a JWS (base64url and dots), so a comma in the device header is two headers joined.
    ...(device.length > 1 || device.some((v) => v.includes(",")) ? { deviceTokenDuplicated: true } : {}),
    method: http.method,
    routeTemplate,
    pathParameters: { ...(event.pathParameters ?? {}) },
    host: event.requestContext.domainName ?? undefined,
    sourceIp: http.sourceIp ?? undefined,
    vpceId: undefined,
    userAgent: http.userAgent ?? undefined,
    ...(event.requestContext.requestId ? { requestId: event.requestContext.requestId } : {}),
  };
}

/** Flat strings only: API Gateway rejects objects and arrays in authorizer context. Escaped and bounded like the audit record. */
function integrationContext(decision: Decision): Record<string, string> {
  return {
    decisionId: decision.decisionId,
    principalId: principalLabel(decision.principal),
    policyRevision: decision.policyRevision,
  };
}

/** Where the decision applies: the called ARN, the decided method and route, and the catalog's routes. */
interface Scope {
  methodArn: string;
  method: string;
  routeTemplate: string;
  catalog: readonly string[];
}

function iamResponse(decision: Decision, scope: Scope): IamPolicyResponse {
  const arn = parseMethodArn(scope.methodArn);
  if (!arn) throw new AuthorizerFaultError("methodArn is not an execute-api ARN");
  return {
    principalId: principalLabel(decision.principal) || "anonymous",
    policyDocument: {
      Version: "2012-10-17",
      // An allow covers exactly this method and route template; a deny covers at least the called ARN.
      Statement:
        decision.outcome === "allow"
          ? allowStatements(arn, scope.method, scope.routeTemplate, scope.catalog)
          : [{ Action: "execute-api:Invoke", Effect: "Deny", Resource: scope.methodArn }],
    },
    context: integrationContext(decision),
  };
}

/** The REST way: 401 by throwing "Unauthorized", 403 by an explicit Deny, 5xx only for faults. */
function restAnswer(decision: Decision, scope: Scope): GatewayAnswer<IamPolicyResponse> {
  if (decision.outcome === "unauthenticated") return { raise: new UnauthorizedError(), outcome: "unauthenticated" };
  if (decision.outcome === "error") return { raise: faultFor(decision), outcome: "error" };
  return { respond: iamResponse(decision, scope) };
}

/** The fault's message keeps the reason codes (never a token or claim value): what an operator needs first. */
function faultFor(decision: Decision): AuthorizerFaultError {
  const codes = [...new Set(decision.errors.map((e) => e.code))].join(", ");
  return new AuthorizerFaultError(`authorizer fault: ${codes || "unknown"} (decision ${decision.decisionId})`);
}

/** An event we cannot parse is still decided (and recorded) like a request without credentials: a 401. */
const unauthorized = (): GatewayAnswer<never> => ({ raise: new UnauthorizedError(), outcome: "unauthenticated" });

/**
 * An event we cannot even parse is still decided, so it leaves an audit record: it goes to the core as
 * a request without credentials on an unknown route, which yields `unauthenticated`.
 */
const unparseable = emptyRequest;

/**
 * The result of parsing an event, as produced both by zod's `safeParse` and by the Powertools parser
 * middleware with `safeParse: true` (which the Lambda entry points use).
 */
export type Parsed<T> = { success: true; data: T } | { success: false };

/** `catalog`: the config's route templates, so an allow never covers a more specific route (allow-policy.ts). */
export function authorizeRestRequest(pdp: Authorizer, rawEvent: unknown, catalog: readonly string[] = []): Promise<IamPolicyResponse> {
  return decideRestRequest(pdp, restRequestAuthorizerEvent.safeParse(rawEvent), catalog);
}

export function decideRestRequest(pdp: Authorizer, parsed: Parsed<RestRequestAuthorizerEvent>, catalog: readonly string[] = []): Promise<IamPolicyResponse> {
  // The response is scoped to the method ARN: an event without a usable one is unparseable, decided (401)
  // before any policy is built, never a fault after an allow.
  if (!parsed.success || !parseMethodArn(parsed.data.methodArn)) return pdp.authorize(unparseable(), unauthorized);
  const request = restRequestToAccess(parsed.data);
  const { methodArn } = parsed.data;
  return pdp.authorize(request, (decision) => restAnswer(decision, { methodArn, method: request.method, routeTemplate: request.routeTemplate, catalog }));
}

/**
 * TOKEN authorizers receive only the token and the method ARN: no route template, no headers, no source
 * IP, so no device posture. The route is matched against the catalog from the ARN's path, with API
 * Gateway's precedence (method-arn.ts), so both REST authorizers decide the same route for one path.
 */
export function authorizeRestToken(pdp: Authorizer, rawEvent: unknown, routeTemplates: readonly string[]): Promise<IamPolicyResponse> {
  return decideRestToken(pdp, restTokenAuthorizerEvent.safeParse(rawEvent), routeTemplates);
}

export function decideRestToken(pdp: Authorizer, parsed: Parsed<RestTokenAuthorizerEvent>, routeTemplates: readonly string[]): Promise<IamPolicyResponse> {
  const arn = parsed.success ? parseMethodArn(parsed.data.methodArn) : undefined;
  if (!parsed.success || !arn) return pdp.authorize(unparseable(), unauthorized);
  const token = parsed.data.authorizationToken ?? undefined;
  const request: AccessRequest = {
    ...unparseable(),
    bearerToken: bearerFrom(token === undefined ? [] : [token]).token,
    method: arn.method,
    routeTemplate: matchRouteTemplate(arn.path, routeTemplates) ?? `/${arn.path}`,
  };
  const { methodArn } = parsed.data;
  return pdp.authorize(request, (decision) =>
    restAnswer(decision, { methodArn, method: request.method, routeTemplate: request.routeTemplate, catalog: routeTemplates }),
  );
}

/**
 * HTTP API simple responses. `isAuthorized: false` is a 403. HTTP APIs answer 401 themselves when the
 * Authorization identity source is absent, but a Lambda that throws becomes a 500 there, so an invalid
 * token is answered `isAuthorized: false` (403) rather than by throwing: client input never yields a 500.
 */
export function authorizeHttpApi(pdp: Authorizer, rawEvent: unknown): Promise<SimpleResponse> {
  return decideHttpApi(pdp, httpApiAuthorizerEvent.safeParse(rawEvent));
}

export function decideHttpApi(pdp: Authorizer, parsed: Parsed<HttpApiAuthorizerEvent>): Promise<SimpleResponse> {
  return pdp.authorize<SimpleResponse>(parsed.success ? httpApiToAccess(parsed.data) : unparseable(), (decision) => {
    if (decision.outcome === "error") return { raise: faultFor(decision), outcome: "error" };
    return { respond: { isAuthorized: decision.outcome === "allow", context: integrationContext(decision) } };
  });
}
