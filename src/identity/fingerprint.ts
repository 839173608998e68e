import { createHash } from "node:crypto";

/**
 * How a token appears in logs and audit records: the sha256 of its exact bytes, hex. Enough to correlate
 * the same token across records, useless to replay. The token itself is never logged or returned.
 */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
