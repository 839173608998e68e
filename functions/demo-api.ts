// The demo internal API behind the authorizers: it trusts only what the authorizer put in the integration
// context (decision id, principal, policy revision), never caller headers such as x-user or x-groups.
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyResult } from "aws-lambda";

type AnyEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2WithLambdaAuthorizer<Record<string, string>>;

export async function handler(event: AnyEvent): Promise<APIGatewayProxyResult> {
  const authorizer = (event.requestContext as { authorizer?: Record<string, unknown> }).authorizer ?? {};
  // v2 nests the context under `lambda`; v1 spreads it.
  const ctx = (authorizer.lambda as Record<string, unknown> | undefined) ?? authorizer;
  const route = "routeKey" in event ? event.routeKey : `${event.httpMethod} ${event.resource}`;
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      route,
      principal: ctx.principalId ?? null,
      decisionId: ctx.decisionId ?? null,
      policyRevision: ctx.policyRevision ?? null,
    }),
  };
}
