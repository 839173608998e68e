import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import { lambdaContext, startFixture } from "../fixture.js";
import { measure, type Measurement } from "../measure.js";
import { policyDirWith } from "../policy-sets.js";
import { WIKI_QUERY } from "./decision.js";
import { expectAllow, loadHandler } from "./handler.js";

/**
 * One policy-set size per process: decision.full on the built handler, and peer.cedar-text on the same
 * policies and request: cedar-wasm `isAuthorized` with the policy text and schema on every call, which is
 * what @cedar-policy/authorization-for-expressjs does per request.
 */
export async function scaleGroup(policies: number, iterations: number): Promise<Measurement[]> {
  const say = (what: string) => process.env.ZTPDP_BENCH_VERBOSE && process.stderr.write(`scale ${policies}: ${what}\n`);
  const dir = policyDirWith(policies);
  const fixture = await startFixture({ policyDir: dir });
  say("loading the authorizer");
  const handler = await loadHandler(fixture);
  say("loaded");
  const event = fixture.event(fixture.userToken(), fixture.deviceToken());
  await expectAllow(handler, event);
  const note = `${policies} policies`;
  const out = [await measure(`decision.full@${policies}`, () => handler(event, lambdaContext), { yieldBetween: true, warmup: 3_000, iterations, note })];

  say("decision.full measured");
  const text = readdirSync(dir).filter((f) => f.endsWith(".cedar")).sort().map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
  const schema = readFileSync(join(dir, "schema.cedarschema"), "utf8");
  const call = { ...WIKI_QUERY, policies: { staticPolicies: text }, schema, validateRequest: true } as Parameters<typeof isAuthorized>[0];
  const check = isAuthorized(call);
  if (check.type !== "success" || check.response.decision !== "allow") throw new Error(`peer.cedar-text did not allow: ${JSON.stringify(check).slice(0, 300)}`);
  const slow = policies >= 1000;
  out.push(await measure(`peer.cedar-text@${policies}`, () => isAuthorized(call), { warmup: slow ? 2 : 50, iterations: slow ? 200 : 2_000, maxSeconds: 12, note }));
  await fixture.close();
  return out;
}
