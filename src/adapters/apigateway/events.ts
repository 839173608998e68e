import { z } from "zod";

/**
 * Authorizer event schemas that accept both real API Gateway events and serverless-offline's variants:
 * offline sends `null` for empty maps and omits `stageVariables` and `requestContext.identity`, which the
 * stock Powertools schemas reject. Only the fields the adapter reads are declared; others pass through.
 */

const stringMap = z.record(z.string(), z.string()).nullish();
const multiMap = z.record(z.string(), z.array(z.string())).nullish();

export const restRequestAuthorizerEvent = z.looseObject({
  type: z.literal("REQUEST"),
  methodArn: z.string().min(1),
  resource: z.string().min(1),
  path: z.string().nullish(),
  httpMethod: z.string().min(1),
  headers: stringMap,
  multiValueHeaders: multiMap,
  pathParameters: stringMap,
  requestContext: z
    .looseObject({
      requestId: z.string().nullish(),
      domainName: z.string().nullish(),
      identity: z
        .looseObject({
          sourceIp: z.string().nullish(),
          vpceId: z.string().nullish(),
          userAgent: z.string().nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

export const restTokenAuthorizerEvent = z.looseObject({
  type: z.literal("TOKEN"),
  methodArn: z.string().min(1),
  authorizationToken: z.string().nullish(),
});

export const httpApiAuthorizerEvent = z.looseObject({
  version: z.literal("2.0").optional(),
  type: z.literal("REQUEST").optional(),
  routeArn: z.string().min(1),
  routeKey: z.string().min(1),
  headers: stringMap,
  pathParameters: stringMap,
  requestContext: z.looseObject({
    requestId: z.string().nullish(),
    domainName: z.string().nullish(),
    http: z.looseObject({
      method: z.string().min(1),
      sourceIp: z.string().nullish(),
      userAgent: z.string().nullish(),
    }),
  }),
});

export type RestRequestAuthorizerEvent = z.infer<typeof restRequestAuthorizerEvent>;
export type RestTokenAuthorizerEvent = z.infer<typeof restTokenAuthorizerEvent>;
export type HttpApiAuthorizerEvent = z.infer<typeof httpApiAuthorizerEvent>;
