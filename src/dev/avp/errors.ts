/**
 * Verified Permissions' error shapes on the awsJson1.0 protocol: HTTP status, `x-amzn-ErrorType` header and
 * a body `{"__type": "<Shape>", "message": ..., ...members}`. Status codes and members are the `httpError`
 * traits and shapes of the service model (npm `@aws-sdk/client-verifiedpermissions`, models_0), e.g.
 * https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/CommonErrors.html
 */
export class AvpError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
    readonly members: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return { __type: this.type, message: this.message, ...this.members };
  }
}

/** https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_ValidationExceptionField.html */
export function validation(message: string, path?: string): AvpError {
  return new AvpError("ValidationException", 400, message, path ? { fieldList: [{ path, message }] } : {});
}

export function notFound(resourceType: "POLICY_STORE" | "POLICY" | "POLICY_TEMPLATE" | "SCHEMA", resourceId: string): AvpError {
  const what = resourceType.toLowerCase().replace("_", " ");
  return new AvpError("ResourceNotFoundException", 404, `the ${what} \`${resourceId}\` was not found`, { resourceId, resourceType });
}

export function conflict(message: string, resourceType: string, resourceId: string): AvpError {
  return new AvpError("ConflictException", 409, message, { resources: [{ resourceId, resourceType }] });
}

export function quotaExceeded(message: string, resourceType: string, resourceId: string): AvpError {
  return new AvpError("ServiceQuotaExceededException", 402, message, { resourceId, resourceType, serviceCode: "verifiedpermissions" });
}

export function throttled(operation: string): AvpError {
  return new AvpError("ThrottlingException", 429, `Rate exceeded for ${operation}`, { serviceCode: "verifiedpermissions", quotaCode: operation });
}

export function internal(): AvpError {
  return new AvpError("InternalServerException", 500, "internal failure (injected by the local endpoint)");
}

export function accessDenied(message: string): AvpError {
  return new AvpError("AccessDeniedException", 403, message);
}

export function unknownOperation(target: string): AvpError {
  return new AvpError("UnknownOperationException", 400, `unknown operation \`${target}\``);
}

export function serialization(message: string): AvpError {
  return new AvpError("SerializationException", 400, message);
}
