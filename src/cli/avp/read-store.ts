import { readStore, StoreReadError, type StoreSnapshot } from "../../policy/verified-permissions/store-reader.js";
import { InputError } from "../errors.js";
import { CLI_BUDGET } from "./push-apply.js";
import type { StoreTarget } from "./store-target.js";

/** The whole store for push and pull; a store that cannot be read stops the command with the reason. */
export async function readWholeStore(target: StoreTarget): Promise<StoreSnapshot> {
  try {
    return (await readStore({ client: target.client, policyStoreId: target.policyStoreId, budget: CLI_BUDGET, deadline: performance.now() + 300_000 })).snapshot;
  } catch (err) {
    if (err instanceof StoreReadError) throw new InputError(`cannot read the policy store ${target.label}: ${err.message}`);
    throw err;
  }
}
