import type { DecisionPoint } from "../../decision/decide.js";
import type { AccessRequest, Decision } from "../../decision/types.js";
import { parseAuthorizationHeader } from "../../identity/bearer.js";
import {
  httpApiAuthorizerEvent,
  restRequestAuthorizerEvent,
  restTokenAuthorizerEvent,
  type HttpApiAuthorizerEvent,
  type RestRequestAuthorizerEvent,
  type RestTokenAuthorizerEvent,
} from "./events.js";
import { httpAvaFields, restAvaFields } from "./ava-request.js";
import { headerValues, singleHeader } from "./headers.js";
import { matchRouteTemplate, parseMethodArn, scopedResourceArn } from "./method-arn.js";

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
  policyDocument: { Version: "2012-10-17"; Statement: [{ Action: "execute-api:Invoke"; Effect: "Allow" | "Deny"; Resource: string }] };
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

export function restRequestToAccess(event: RestRequestAuthorizerEvent): AccessRequest {
  const auth = headerValues(event.headers, event.multiValueHeaders, "authorization");
  const device = headerValues(event.headers, event.multiValueHeaders, DEVICE_TOKEN_HEADER);
  const identity = event.requestContext?.identity;
  return {
    bearerToken: bearerFrom(auth).token,
    deviceToken: singleHeader(device),
    method: event.httpMethod,
    routeTemplate: event.resource,
    pathParameters: { ...(event.pathParameters ?? {}) },
    host: singleHeader(headerValues(event.headers, event.multiValueHeaders, "host")) ?? event.requestContext?.domainName ?? undefined,
    sourceIp: identity?.sourceIp ?? undefined,
    vpceId: identity?.vpceId ?? undefined,
    userAgent: identity?.userAgent ?? singleHeader(headerValues(event.headers, event.multiValueHeaders, "user-agent")),
    ...(event.requestContext?.requestId ? { requestId: event.requestContext.requestId } : {}),
    ava: restAvaFields(event),
  };
}

export function httpApiToAccess(event: HttpApiAuthorizerEvent): AccessRequest {
  const http = event.requestContext.http;
  // routeKey is "METHOD /path/{param}" (or "$default"); the template never comes from the raw path.
  const space = event.routeKey.indexOf(" ");
  const routeTemplate = space > 0 ? event.routeKey.slice(space + 1) : event.routeKey;
  return {
    // v2 comma-joins duplicate headers, which the bearer parser refuses as malformed.
    bearerToken: bearerFrom(headerValues(event.headers, undefined, "authorization")).token,
    deviceToken: singleHeader(headerValues(event.headers, undefined, DEVICE_TOKEN_HEADER)),
    method: http.method,
    routeTemplate,
    pathParameters: { ...(event.pathParameters ?? {}) },
    host: singleHeader(headerValues(event.headers, undefined, "host")) ?? event.requestContext.domainName ?? undefined,
    sourceIp: http.sourceIp ?? undefined,
    vpceId: undefined,
    userAgent: http.userAgent ?? undefined,
    ...(event.requestContext.requestId ? { requestId: event.requestContext.requestId } : {}),
    ava: httpAvaFields(event),
  };
}

/** `User::alice`, the form Cedar and the audit record use; empty when no principal was verified. */
function principalLabel(decision: Decision): string {
  return decision.principal ? `${decision.principal.type}::${decision.principal.id}` : "";
}

/** Flat strings only: API Gateway rejects objects and arrays in authorizer context. */
function integrationContext(decision: Decision): Record<string, string> {
  return {
    decisionId: decision.decisionId,
    principalId: principalLabel(decision),
    policyRevision: decision.policyRevision,
  };
}

function iamResponse(decision: Decision, methodArn: string, method: string, routeTemplate: string): IamPolicyResponse {
  const arn = parseMethodArn(methodArn);
  if (!arn) throw new AuthorizerFaultError("methodArn is not an execute-api ARN");
  const allow = decision.outcome === "allow";
  return {
    principalId: principalLabel(decision) || "anonymous",
    policyDocument: {
      Version: "2012-10-17",
      Statement: [
        {
          Action: "execute-api:Invoke",
          Effect: allow ? "Allow" : "Deny",
          // An allow covers this method and route template only; a deny covers at least the called ARN.
          Resource: allow ? scopedResourceArn(arn, method, routeTemplate) : methodArn,
        },
      ],
    },
    context: integrationContext(decision),
  };
}

/** Map outcomes the REST way: 401 by throwing "Unauthorized", 403 by an explicit Deny, 5xx only for faults. */
function ensureDecided(decision: Decision): void {
  if (decision.outcome === "unauthenticated") throw new UnauthorizedError();
  if (decision.outcome === "error") throw new AuthorizerFaultError(`authorizer fault (decision ${decision.decisionId})`);
}

/**
 * An event we cannot even parse is still decided, so it leaves an audit record: it goes to the core as
 * a request without credentials on an unknown route, which yields `unauthenticated`.
 */
function unparseable(requestId?: string): AccessRequest {
  return {
    bearerToken: undefined,
    deviceToken: undefined,
    method: "",
    routeTemplate: "",
    pathParameters: {},
    host: undefined,
    sourceIp: undefined,
    vpceId: undefined,
    userAgent: undefined,
    ...(requestId ? { requestId } : {}),
  };
}

/**
 * The result of parsing an event, as produced both by zod's `safeParse` and by the Powertools parser
 * middleware with `safeParse: true` (which the Lambda entry points use).
 */
export type Parsed<T> = { success: true; data: T } | { success: false };

export function authorizeRestRequest(pdp: DecisionPoint, rawEvent: unknown): Promise<IamPolicyResponse> {
  return decideRestRequest(pdp, restRequestAuthorizerEvent.safeParse(rawEvent));
}

export async function decideRestRequest(pdp: DecisionPoint, parsed: Parsed<RestRequestAuthorizerEvent>): Promise<IamPolicyResponse> {
  if (!parsed.success) {
    ensureDecided(await pdp.decide(unparseable()));
    throw new UnauthorizedError();
  }
  const request = restRequestToAccess(parsed.data);
  const decision = await pdp.decide(request);
  ensureDecided(decision);
  return iamResponse(decision, parsed.data.methodArn, request.method, request.routeTemplate);
}

/**
 * TOKEN authorizers receive only the token and the method ARN: no route template, no headers, no source
 * IP, so no device posture. The route is matched against the catalog from the ARN's path.
 */
export function authorizeRestToken(pdp: DecisionPoint, rawEvent: unknown, routeTemplates: readonly string[]): Promise<IamPolicyResponse> {
  return decideRestToken(pdp, restTokenAuthorizerEvent.safeParse(rawEvent), routeTemplates);
}

export async function decideRestToken(
  pdp: DecisionPoint,
  parsed: Parsed<RestTokenAuthorizerEvent>,
  routeTemplates: readonly string[],
): Promise<IamPolicyResponse> {
  const arn = parsed.success ? parseMethodArn(parsed.data.methodArn) : undefined;
  if (!parsed.success || !arn) {
    ensureDecided(await pdp.decide(unparseable()));
    throw new UnauthorizedError();
  }
  const token = parsed.data.authorizationToken ?? undefined;
  const request: AccessRequest = {
    ...unparseable(),
    bearerToken: bearerFrom(token === undefined ? [] : [token]).token,
    method: arn.method,
    routeTemplate: matchRouteTemplate(arn.path, routeTemplates) ?? `/${arn.path}`,
  };
  const decision = await pdp.decide(request);
  ensureDecided(decision);
  return iamResponse(decision, parsed.data.methodArn, request.method, request.routeTemplate);
}

/**
 * HTTP API simple responses. `isAuthorized: false` is a 403. HTTP APIs answer 401 themselves when the
 * Authorization identity source is absent, but a Lambda that throws becomes a 500 there, so an invalid
 * token is answered `isAuthorized: false` (403) rather than by throwing: client input never yields a 500.
 */
export function authorizeHttpApi(pdp: DecisionPoint, rawEvent: unknown): Promise<SimpleResponse> {
  return decideHttpApi(pdp, httpApiAuthorizerEvent.safeParse(rawEvent));
}

export async function decideHttpApi(pdp: DecisionPoint, parsed: Parsed<HttpApiAuthorizerEvent>): Promise<SimpleResponse> {
  const decision = await pdp.decide(parsed.success ? httpApiToAccess(parsed.data) : unparseable());
  if (decision.outcome === "error") throw new AuthorizerFaultError(`authorizer fault (decision ${decision.decisionId})`);
  return { isAuthorized: decision.outcome === "allow", context: integrationContext(decision) };
}
