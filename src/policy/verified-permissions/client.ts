import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";

/**
 * The one Verified Permissions client of a cold start. Keep-alive agents keep the TLS connection open
 * between invocations (a new handshake per decision would cost more than the call). The SDK's own retries
 * are off (`maxAttempts: 1`): `callWithBudget` retries inside the decision's time budget instead, which the
 * SDK's standard mode (3 attempts, exponential backoff up to 20 s) does not know about
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */

export interface AvpClientOptions {
  region?: string | undefined;
  endpoint?: string | undefined;
  /** Static credentials (tests and the local endpoint); production uses the Lambda role's. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export function createAvpClient(options: AvpClientOptions): VerifiedPermissionsClient {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("Verified Permissions: no region (set policy.region, or AWS_REGION)");
  return new VerifiedPermissionsClient({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    },
  });
}
