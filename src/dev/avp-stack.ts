import { CreatePolicyStoreCommand } from "@aws-sdk/client-verifiedpermissions";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { parseDocument } from "yaml";
import { applyPush } from "../cli/avp/push-apply.js";
import { planPush } from "../cli/avp/push-plan.js";
import { parseConfig, type LoadedConfig } from "../config/load.js";
import { loadPolicyDir } from "../policy/loader.js";
import { createAvpClient } from "../policy/verified-permissions/client.js";
import { startLocalAvp } from "./avp/server.js";
import type { LocalService } from "./services.js";

/**
 * `npm start` on a Verified Permissions engine (`--engine avp-remote|avp-mirror`, or ZTPDP_ENGINE): a local
 * endpoint on 127.0.0.1, a store filled from the stack config's policy folder with `ztpdp push`'s own code,
 * and a copy of that config whose `policy` section names that store. The functions get the copy through
 * ZTPDP_CONFIG and placeholder credentials (the endpoint checks that requests are signed, not by whom).
 */

export const AVP_ENGINES = ["avp-remote", "avp-mirror"] as const;
export type AvpStackEngine = (typeof AVP_ENGINES)[number];

export interface AvpStack {
  /** The config copy naming the local store: what the functions get as ZTPDP_CONFIG. */
  configFile: string;
  /** Environment for the functions (serverless-offline passes it on). */
  env: Record<string, string>;
  /** What to print under the stack's banner. */
  banner: string;
  close(): Promise<void>;
}

/**
 * The `npm start` service (services.ts) for `--engine avp-remote|avp-mirror` (or ZTPDP_ENGINE): nothing on
 * the local engine. Started before serverless-offline, it points the functions at its config copy.
 */
export const verifiedPermissionsService: LocalService = {
  name: "Verified Permissions (local endpoint)",
  async start(ctx) {
    if (ctx.engine === undefined || ctx.engine === "local") return undefined;
    const stack = await startAvpStack(ctx.config, ctx.engine, ctx.verbose ? ctx.print : undefined);
    Object.assign(ctx.functionEnv, stack.env);
    ctx.configFile = stack.configFile;
    return { banner: stack.banner, stop: () => stack.close() };
  },
};

/** `stackConfig`'s policy folder pushed to a store on a local endpoint, and a copy of it naming that store. */
export async function startAvpStack(stackConfig: LoadedConfig, engine: AvpStackEngine, log?: (line: string) => void): Promise<AvpStack> {
  const avp = await startLocalAvp({ onCall: log ? (c) => log(`  [avp] ${c.operation} ${c.status}${c.errorType ? ` ${c.errorType}` : ""}`) : undefined });
  const temp = mkdtempSync(join(tmpdir(), "ztpdp-avp-stack-"));
  try {
    const credentials = { accessKeyId: "AKIDLOCALENDPOINT", secretAccessKey: "local-endpoint" };
    const client = createAvpClient({ region: "us-east-1", endpoint: avp.url, credentials });
    const { policyStoreId } = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" }, description: "npm start" }));
    const policies = stackConfig.resolvePath(stackConfig.config.policy.dir);
    const shownPolicies = `${relative(process.cwd(), policies) || "."}/`;
    const set = loadPolicyDir(policies);
    const plan = planPush(set, "ZtPdp", undefined);
    if (!plan.ok) throw new Error(`${shownPolicies} cannot be pushed to Verified Permissions:\n  ${plan.problems.join("\n  ")}`);
    const pushed = await applyPush(client, String(policyStoreId), plan.plan.changes);
    if (pushed.failed) throw new Error(`the local endpoint refused ${shownPolicies}: ${pushed.failed.message}`);
    client.destroy();

    // The stack's config with its file paths made absolute (the copy lives elsewhere) and the policy section replaced.
    const doc = parseDocument(readFileSync(stackConfig.file, "utf8"));
    doc.setIn(["devicePosture", "patchBaselineFile"], stackConfig.resolvePath(stackConfig.config.devicePosture.patchBaselineFile));
    doc.set("policy", {
      engine: "verified-permissions",
      mode: engine === "avp-mirror" ? "mirror" : "remote",
      policyStoreId: String(policyStoreId),
      region: "us-east-1",
      endpoint: avp.url,
      dir: policies,
      refreshSeconds: 15,
      maxStalenessSeconds: 300,
    });
    const file = join(temp, "pdp.yaml");
    writeFileSync(file, `# ${stackConfig.file} on Verified Permissions (written by npm start, removed when it stops)\n${doc.toString()}`);
    parseConfig(readFileSync(file, "utf8"), file); // fail here, with the config's own messages, not in a function

    const push = `npx ztpdp push${policies === join(process.cwd(), "policies") ? "" : ` ${relative(process.cwd(), policies)}`} --endpoint ${avp.url} --policy-store-id ${policyStoreId}`;
    const banner = [
      `Verified Permissions: local endpoint ${avp.url}, store ${policyStoreId} (${set.policies.length} policies from ${shownPolicies}, revision ${set.revision})`,
      `  engine: ${engine === "avp-mirror" ? "mirror (store copied at cold start, refreshed every 15 s)" : "remote (one IsAuthorized per decision)"}`,
      `  after editing ${shownPolicies}:  ${push}`,
    ].join("\n");
    return {
      configFile: file,
      env: {
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
