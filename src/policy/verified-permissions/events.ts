/**
 * What the Verified Permissions engines report besides decisions: store reads, refreshes, refusals of a
 * store state, and faults. Decisions have their audit records; these explain them (why a mirror is stale,
 * why a policy id could not be mapped). Default: one JSON line on stderr, which Lambda sends to CloudWatch.
 */
export interface EngineEvent {
  level: "info" | "warn" | "error";
  event:
    | "mirror_loaded"
    | "mirror_unchanged"
    | "mirror_refresh_failed"
    | "mirror_store_refused"
    | "remote_ids_loaded"
    | "remote_ids_failed";
  message: string;
  policyStoreId: string;
  [detail: string]: unknown;
}

export type EngineEventSink = (event: EngineEvent) => void;

export const stderrEvents: EngineEventSink = (event) => {
  process.stderr.write(`${JSON.stringify({ source: "ztpdp.verified-permissions", ...event })}\n`);
};
