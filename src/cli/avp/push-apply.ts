import {
  CreatePolicyCommand,
  DeletePolicyCommand,
  PutSchemaCommand,
  UpdatePolicyCommand,
  type VerifiedPermissionsClient,
} from "@aws-sdk/client-verifiedpermissions";
import { callWithBudget, type Budget } from "../../policy/verified-permissions/call-budget.js";
import type { Change, PlannedPolicy } from "./push-plan.js";

/** Management calls from the CLI: generous per call, retried on throttling (the quota is ~10 per second). */
export const CLI_BUDGET: Budget = { timeoutMs: 30_000, attemptTimeoutMs: 10_000, maxAttempts: 6 };

export interface ApplyResult {
  done: Change[];
  failed?: { change: Change; message: string };
}

/** Applies the plan in order and stops at the first failure (what was done is reported, nothing is rolled back). */
export async function applyPush(client: VerifiedPermissionsClient, policyStoreId: string, changes: readonly Change[], budget: Budget = CLI_BUDGET): Promise<ApplyResult> {
  const done: Change[] = [];
  const send = async (run: (abortSignal: AbortSignal) => Promise<unknown>): Promise<string | undefined> => {
    const r = await callWithBudget(run, budget);
    return r.ok ? undefined : r.message;
  };
  const create = (p: PlannedPolicy) =>
    send((abortSignal) => client.send(new CreatePolicyCommand({ policyStoreId, definition: { static: { statement: p.statement, description: p.description } } }), { abortSignal }));
  const remove = (policyId: string) => send((abortSignal) => client.send(new DeletePolicyCommand({ policyStoreId, policyId }), { abortSignal }));
  for (const change of changes) {
    let error: string | undefined;
    switch (change.kind) {
      case "schema":
        error = await send((abortSignal) => client.send(new PutSchemaCommand({ policyStoreId, definition: { cedarJson: change.cedarJson } }), { abortSignal }));
        break;
      case "create":
        error = await create(change.policy);
        break;
      case "update":
        error = await send((abortSignal) =>
          client.send(
            new UpdatePolicyCommand({ policyStoreId, policyId: change.policyId, definition: { static: { statement: change.policy.statement, description: change.policy.description } } }),
            { abortSignal },
          ),
        );
        break;
      case "replace":
        error = (await create(change.policy)) ?? (await remove(change.policyId));
        break;
      case "delete":
        error = await remove(change.policyId);
        break;
    }
    if (error !== undefined) return { done, failed: { change, message: error } };
    done.push(change);
  }
  return { done };
}

/** One line per change, as `--dry-run` and the push report print them. */
export function describeChange(c: Change): string {
  switch (c.kind) {
    case "schema":
      return `~ schema (namespace ${c.namespace})`;
    case "create":
      return `+ ${c.policy.id} (${c.policy.effect})`;
    case "update":
      return `~ ${c.policy.id} (${c.policy.effect}, action or conditions changed; ${c.policyId})`;
    case "replace":
      return `± ${c.policy.id} (${c.policy.effect}, delete and create: ${c.why}; was ${c.policyId})`;
    case "delete":
      return `- ${c.id} (${c.effect}; ${c.policyId})`;
  }
}
