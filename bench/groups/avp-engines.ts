import { fork } from "node:child_process";
import { join } from "node:path";
import { CreatePolicyStoreCommand } from "@aws-sdk/client-verifiedpermissions";
import { applyPush } from "../../src/cli/avp/push-apply.js";
import { planPush } from "../../src/cli/avp/push-plan.js";
import { loadPolicyDir } from "../../src/policy/loader.js";
import { createAvpClient } from "../../src/policy/verified-permissions/client.js";
import { lambdaContext, REPO, startFixture } from "../fixture.js";
import { measure, type Measurement } from "../measure.js";
import { expectAllow, loadHandler } from "./handler.js";

/**
 * decision.full.avp-remote and decision.full.avp-mirror: the built REST authorizer on the same event as
 * decision.full, its config naming a Verified Permissions store (the reference policies, pushed with
 * `ztpdp push`'s own code) on a local endpoint running in another process. Remote: one IsAuthorized per
 * decision through the real SDK over loopback (no network latency: a lower bound). Mirror: the store read
 * at cold start, then evaluated in process.
 */
export async function avpEnginesGroup(mode: "remote" | "mirror", iterations: number): Promise<Measurement[]> {
  const endpoint = fork(join(REPO, ".bench-out/avp-endpoint.mjs"), [], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
  const url = await new Promise<string>((resolve, reject) => {
    endpoint.once("message", (m) => resolve((m as { url: string }).url));
    endpoint.once("exit", (code) => reject(new Error(`local endpoint exited with ${code}`)));
  });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDBENCH", AWS_SECRET_ACCESS_KEY: "bench-secret", AWS_EC2_METADATA_DISABLED: "true" });
  const policies = join(REPO, "dist/rest-authorizer/policies");
  const client = createAvpClient({ region: "eu-west-1", endpoint: url });
  const { policyStoreId } = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode: "STRICT" } }));
  const plan = planPush(loadPolicyDir(policies), "ZtPdp", undefined);
  if (!plan.ok) throw new Error(`cannot push the reference policies: ${plan.problems.join("; ")}`);
  const pushed = await applyPush(client, String(policyStoreId), plan.plan.changes);
  if (pushed.failed) throw new Error(`push failed: ${pushed.failed.message}`);
  client.destroy();

  const fixture = await startFixture({
    policyBlock: `policy:\n  engine: verified-permissions\n  mode: ${mode}\n  policyStoreId: ${policyStoreId}\n  region: eu-west-1\n  endpoint: ${url}\n  dir: ${policies}\n`,
  });
  const handler = await loadHandler(fixture);
  const event = fixture.event(fixture.userToken(), fixture.deviceToken());
  await expectAllow(handler, event);
  const name = `decision.full.avp-${mode}`;
  const note = mode === "remote" ? "IsAuthorized per decision, SDK + loopback to another process" : "store mirrored at cold start, evaluated in process";
  const m = await measure(name, () => handler(event, lambdaContext), { yieldBetween: true, warmup: mode === "remote" ? 500 : 5_000, iterations, note });
  await fixture.close();
  endpoint.disconnect();
  return [m];
}
