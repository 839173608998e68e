import { VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import { startLocalAvp, type LocalAvp } from "../../../src/dev/avp/server.js";

/** The real SDK client against a local endpoint, one attempt per call (so injected faults are visible). */
export function sdkClient(avp: LocalAvp, maxAttempts = 1): VerifiedPermissionsClient {
  return new VerifiedPermissionsClient({
    region: "eu-west-1",
    endpoint: avp.url,
    credentials: { accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret" },
    maxAttempts,
  });
}

export { startLocalAvp, type LocalAvp };
