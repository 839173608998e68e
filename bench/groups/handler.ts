import { join } from "node:path";
import { lambdaContext, REPO, type Fixture } from "../fixture.js";

/** The built REST authorizer (dist/rest-authorizer/index.mjs), as Lambda would load it. */

export type Handler = (event: unknown, context: unknown) => Promise<{ policyDocument: { Statement: Array<{ Effect: string }> } }>;

export async function loadHandler(fixture: Fixture): Promise<Handler> {
  process.env.ZTPDP_CONFIG = fixture.configFile;
  process.env.POWERTOOLS_SERVICE_NAME = "ztpdp-bench";
  const mod = (await import(join(REPO, "dist/rest-authorizer/index.mjs"))) as { handler: Handler };
  return mod.handler;
}

export async function expectAllow(handler: Handler, event: unknown): Promise<void> {
  const res = await handler(event, lambdaContext);
  const effect = res.policyDocument.Statement[0]?.Effect;
  if (effect !== "Allow") throw new Error(`benchmark request was not allowed (${effect}): fix the fixture`);
}

