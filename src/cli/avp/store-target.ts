import { CreatePolicyStoreCommand, type VerifiedPermissionsClient } from "@aws-sdk/client-verifiedpermissions";
import type { LoadedConfig } from "../../config/load.js";
import { startLocalAvp, type LocalAvp } from "../../dev/avp/server.js";
import type { LoadedPolicySet } from "../../policy/loader.js";
import { createAvpClient } from "../../policy/verified-permissions/client.js";
import { avpPolicySourceSchema } from "../../policy/verified-permissions/options.js";
import { InputError, UsageError } from "../errors.js";
import type { CliIo } from "../io.js";
import { applyPush, CLI_BUDGET } from "./push-apply.js";
import { planPush } from "./push-plan.js";

/**
 * Which policy store a command works on: `--policy-store-id`, `--endpoint`, `--region`, `--namespace`,
 * each defaulting to the config's `policy` section when that names Verified Permissions. Credentials come
 * from the AWS SDK's usual chain (environment, profile, SSO); a loopback endpoint (the local endpoint of
 * `npm start`) gets placeholder credentials when none are set.
 */

export const STORE_OPTIONS = {
  "policy-store-id": { type: "string" },
  endpoint: { type: "string" },
  region: { type: "string" },
  namespace: { type: "string" },
} as const;

export const STORE_HELP = `  --policy-store-id ID  the policy store (default: the config's policy.policyStoreId)
  --endpoint URL        another endpoint: a VPC endpoint, or http://127.0.0.1:<port> (default: the config's)
  --region REGION       default: the config's policy.region, else AWS_REGION
  --namespace NS        the store's schema namespace (default: the config's policy.namespace, else ZtPdp)`;

export interface StoreTarget {
  client: VerifiedPermissionsClient;
  policyStoreId: string;
  namespace: string;
  /** For messages: `PS... (eu-west-1)` or `PS... at http://127.0.0.1:4010`. */
  label: string;
}

export interface StoreFlags {
  "policy-store-id"?: string | undefined;
  endpoint?: string | undefined;
  region?: string | undefined;
  namespace?: string | undefined;
}

/** The store the flags and config name, or undefined when neither names one. */
export function storeTarget(io: CliIo, command: string, flags: StoreFlags, config: LoadedConfig | undefined): StoreTarget | undefined {
  const fromConfig = config?.config.policy.engine === "verified-permissions" ? config.config.policy : undefined;
  const policyStoreId = flags["policy-store-id"] ?? fromConfig?.policyStoreId;
  if (policyStoreId === undefined) return undefined;
  const parsed = avpPolicySourceSchema.safeParse({
    engine: "verified-permissions",
    policyStoreId,
    ...(flags.endpoint ?? fromConfig?.endpoint ? { endpoint: flags.endpoint ?? fromConfig?.endpoint } : {}),
    ...(flags.namespace ?? fromConfig?.namespace ? { namespace: flags.namespace ?? fromConfig?.namespace } : {}),
  });
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join(".") === "endpoint" ? "--endpoint" : i.path.join(".") === "namespace" ? "--namespace" : `--${String(i.path[0])}`}: ${i.message}`).join("; "), command);
  }
  const { endpoint, namespace } = parsed.data;
  const loopback = endpoint !== undefined && new URL(endpoint).protocol === "http:";
  const region = flags.region ?? fromConfig?.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? (loopback ? "us-east-1" : undefined);
  if (region === undefined) throw new UsageError("no region: pass --region, set policy.region in the config, or AWS_REGION", command);
  const credentials = loopback && !io.env.AWS_ACCESS_KEY_ID ? { accessKeyId: "AKIDLOCALENDPOINT", secretAccessKey: "local-endpoint" } : undefined;
  const client = createAvpClient({ region, endpoint, ...(credentials ? { credentials } : {}) });
  return { client, policyStoreId, namespace, label: endpoint ? `${policyStoreId} at ${endpoint}` : `${policyStoreId} (${region})` };
}

/**
 * A throw-away store on a local endpoint holding `set` (pushed with `ztpdp push`'s own plan), for
 * `ztpdp test --engine avp-*` without a store: the folder's policies, evaluated the Verified Permissions way.
 */
export async function localStoreWith(set: LoadedPolicySet, namespace: string): Promise<{ target: StoreTarget; avp: LocalAvp }> {
  const avp = await startLocalAvp();
  try {
    const client = createAvpClient({ region: "us-east-1", endpoint: avp.url, credentials: { accessKeyId: "AKIDLOCALENDPOINT", secretAccessKey: "local-endpoint" } });
    const store = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" } }));
    const policyStoreId = String(store.policyStoreId);
    const plan = planPush(set, namespace, undefined);
    if (!plan.ok) throw new InputError("the policies cannot be put into a Verified Permissions store", plan.problems);
    const applied = await applyPush(client, policyStoreId, plan.plan.changes, CLI_BUDGET);
    if (applied.failed) throw new InputError(`the local endpoint refused the policies: ${applied.failed.message}`);
    return { target: { client, policyStoreId, namespace, label: `${policyStoreId} on a local endpoint at ${avp.url}` }, avp };
  } catch (err) {
    await avp.close();
    throw err;
  }
}
