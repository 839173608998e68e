import { CreatePolicyStoreCommand } from "@aws-sdk/client-verifiedpermissions";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { applyPush } from "../cli/avp/push-apply.js";
import { planPush } from "../cli/avp/push-plan.js";
import { parseConfig } from "../config/load.js";
import { loadPolicyDir } from "../policy/loader.js";
import { createAvpClient } from "../policy/verified-permissions/client.js";
import { startLocalAvp } from "./avp/server.js";

/**
 * `npm start` on a Verified Permissions engine (`ZTPDP_ENGINE=avp-remote` or `avp-mirror`): a local
 * endpoint on 127.0.0.1, a store filled from `policies/` with `ztpdp push`'s own code, and a copy of the
 * project config whose `policy` section names that store. The functions get the copy through
 * ZTPDP_CONFIG and placeholder credentials (the endpoint checks that requests are signed, not by whom).
 */

export const AVP_ENGINES = ["avp-remote", "avp-mirror"] as const;
export type AvpStackEngine = (typeof AVP_ENGINES)[number];

export interface AvpStack {
  /** Environment for the functions (serverless-offline passes it on). */
  env: Record<string, string>;
  /** What to print under the stack's banner. */
  banner: string;
  close(): Promise<void>;
}

/** The Verified Permissions part of `npm start` when ZTPDP_ENGINE asks for one (its banner printed), else undefined. */
export async function avpStackFromEnv(root: string, env: NodeJS.ProcessEnv, verbose: boolean): Promise<AvpStack | undefined> {
  const engine = env.ZTPDP_ENGINE;
  if (!engine || engine === "local") return undefined;
  if (!(AVP_ENGINES as readonly string[]).includes(engine)) throw new Error(`ZTPDP_ENGINE must be local, ${AVP_ENGINES.join(" or ")}, not \`${engine}\``);
  const stack = await startAvpStack(root, engine as AvpStackEngine, verbose);
  console.log(stack.banner);
  return stack;
}

export async function startAvpStack(root: string, engine: AvpStackEngine, verbose: boolean): Promise<AvpStack> {
  const avp = await startLocalAvp({ onCall: verbose ? (c) => console.log(`  [avp] ${c.operation} ${c.status}${c.errorType ? ` ${c.errorType}` : ""}`) : undefined });
  const temp = mkdtempSync(join(tmpdir(), "ztpdp-avp-stack-"));
  try {
    const credentials = { accessKeyId: "AKIDLOCALENDPOINT", secretAccessKey: "local-endpoint" };
    const client = createAvpClient({ region: "us-east-1", endpoint: avp.url, credentials });
    const { policyStoreId } = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" }, description: "npm start" }));
    const policies = join(root, "policies");
    const set = loadPolicyDir(policies);
    const plan = planPush(set, "ZtPdp", undefined);
    if (!plan.ok) throw new Error(`policies/ cannot be pushed to Verified Permissions:\n  ${plan.problems.join("\n  ")}`);
    const pushed = await applyPush(client, String(policyStoreId), plan.plan.changes);
    if (pushed.failed) throw new Error(`the local endpoint refused policies/: ${pushed.failed.message}`);
    client.destroy();

    // The project config with its relative paths made absolute and the policy section replaced.
    const configDir = join(root, "config");
    const doc = parseYaml(readFileSync(join(configDir, "pdp.yaml"), "utf8")) as Record<string, Record<string, unknown>>;
    const posture = (doc.devicePosture ??= {});
    posture.patchBaselineFile = resolve(configDir, String(posture.patchBaselineFile ?? "../policies/patch-baseline.yaml"));
    doc.policy = {
      engine: "verified-permissions",
      mode: engine === "avp-mirror" ? "mirror" : "remote",
      policyStoreId: String(policyStoreId),
      region: "us-east-1",
      endpoint: avp.url,
      dir: policies,
      refreshSeconds: 15,
      maxStalenessSeconds: 300,
    };
    const file = join(temp, "pdp.yaml");
    writeFileSync(file, JSON.stringify(doc, null, 2));
    parseConfig(readFileSync(file, "utf8"), file); // fail here, with the config's own messages, not in a function

    const push = `npx ztpdp push --endpoint ${avp.url} --policy-store-id ${policyStoreId}`;
    const banner = [
      `Verified Permissions: local endpoint ${avp.url}, store ${policyStoreId} (${set.policies.length} policies from policies/, revision ${set.revision})`,
      `  engine: ${engine === "avp-mirror" ? "mirror (store copied at cold start, refreshed every 15 s)" : "remote (one IsAuthorized per decision)"}`,
      `  after editing policies/:  ${push}`,
    ].join("\n");
    return {
      env: {
        ZTPDP_CONFIG: file,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_REGION: "us-east-1",
        AWS_EC2_METADATA_DISABLED: "true",
      },
      banner,
      close: async () => {
        await avp.close();
        rmSync(dirname(file), { recursive: true, force: true });
      },
    };
  } catch (err) {
    await avp.close();
    rmSync(temp, { recursive: true, force: true });
    throw err;
  }
}
