import { randomUUID } from "node:crypto";
import { auditRecordFor, type Delivery } from "./audit/decision-record.js";
import type { AuditRecord } from "./audit/record.js";
import { emitAudit, type AuditSink } from "./audit/sink.js";
import { errorMessage, type DecisionPoint, type Evaluation } from "./decision/decide.js";
import { emptyRequest, type AccessRequest, type Authorizer, type Decision, type GatewayAnswer } from "./decision/types.js";

/**
 * Where audit records are written: beside the decision, at the composition root, never inside the core.
 * The core decides; the adapter turns the decision into what the gateway gets; only then is the record
 * written, from what the gateway got. So an allow whose response could not be built is recorded as the
 * `error` it became, and metrics (through `observe`) count the same outcome as the record.
 *
 * Exactly one record per call of `authorize`/`decide`, on every path: the core never throws (faults
 * become `error` decisions), and a throw from the adapter's answer is caught here.
 */

export interface RecordedDecisionsOptions {
  audit: AuditSink;
  /** Called with every record as it is written (metrics, correlation ids). Must not throw. */
  observe?: (record: AuditRecord) => void;
  /** Time budget of one decision (ms), or a function giving it per decision; see `EvaluateOptions.deadlineMs`. */
  deadlineMs?: number | (() => number | undefined);
}

export interface RecordedDecisions extends Authorizer {
  /** Decide and record, for callers that hand the decision itself on (CLI, tests, other adapters). */
  decide(request: AccessRequest, options?: { deadlineMs?: number }): Promise<Decision>;
  /**
   * For a fault outside any decision (e.g. in the Lambda wiring before the adapter ran): records one
   * `error` so that invocation is not missing from the audit trail.
   */
  recordUndecided(cause: unknown, requestId?: string): void;
}

/** Thrown when the adapter could not build a response for a decision: a 5xx, recorded as `error`. */
export class ResponseFaultError extends Error {
  override name = "ResponseFaultError";
}

export function recordDecisions(core: DecisionPoint, opts: RecordedDecisionsOptions): RecordedDecisions {
  const recordOptions = {
    engine: core.engine.name,
    ...(core.engine.namesEntity ? { namesEntity: core.engine.namesEntity.bind(core.engine) } : {}),
  };

  function write(evaluation: Evaluation, delivery: Delivery): void {
    const record = auditRecordFor(evaluation, delivery, recordOptions);
    emitAudit(opts.audit, record);
    try {
      opts.observe?.(record);
    } catch {
      // Metrics are best effort; the record is already out.
    }
  }

  async function authorize<R>(
    request: AccessRequest,
    answer: (decision: Decision) => GatewayAnswer<R>,
    options: { deadlineMs?: number } = {},
  ): Promise<R> {
    const deadlineMs = options.deadlineMs ?? (typeof opts.deadlineMs === "function" ? opts.deadlineMs() : opts.deadlineMs);
    const evaluation = await core.evaluate(request, deadlineMs === undefined ? {} : { deadlineMs });
    let given: GatewayAnswer<R>;
    try {
      given = answer(evaluation.decision);
    } catch (err) {
      const message = errorMessage(err);
      write(evaluation, { outcome: "error", errors: [{ code: "response_invalid", message }] });
      throw new ResponseFaultError(`authorizer fault: response_invalid (decision ${evaluation.decision.decisionId}): ${message}`);
    }
    if ("raise" in given) {
      write(evaluation, { outcome: given.outcome });
      throw given.raise;
    }
    write(evaluation, { outcome: evaluation.decision.outcome });
    return given.respond;
  }

  return {
    authorize,
    decide: (request, options) => authorize(request, (decision) => ({ respond: decision }), options),
    recordUndecided(cause, requestId) {
      const decision: Decision = {
        decisionId: randomUUID(),
        outcome: "error",
        effect: "deny",
        determiningPolicies: [],
        errors: [{ code: "internal_error", message: errorMessage(cause) }],
        policyRevision: core.engine.revision,
      };
      const request = emptyRequest(requestId);
      write({ decision, request, trail: {}, nowMs: Date.now(), startedNs: process.hrtime.bigint() }, { outcome: "error" });
    },
  };
}
