// Entry point of `npm start` (bundled to dist/dev/start.mjs): the local stack on its embedded defaults —
// the development IdP and MDM on 127.0.0.1:8471, serverless-offline with the authorizers and the demo API,
// the bundled policies on the local Cedar engine. Prints the URLs, curl commands and every audit record.
import { join } from "node:path";
import { loadConfig } from "../config/load.js";
import { formatAudit } from "./audit-printer.js";
import { avpStackFromEnv } from "./avp-stack.js";
import { startDevIssuers } from "./issuers.js";
import { DEFAULT_DEV_KEYS_DIR, loadOrCreateDevKeys } from "./keys.js";
import { startOffline } from "./offline.js";
import { projectRoot } from "./root.js";
import { quickTour } from "./tour.js";
import { startDevTrustProvider } from "./trust-provider-stack.js";

const root = projectRoot();
const { config } = loadConfig(join(root, "config/pdp.yaml"));
const keys = loadOrCreateDevKeys(join(root, DEFAULT_DEV_KEYS_DIR));
const issuerPort = Number(new URL(config.issuers[0]!.issuer).port);
const httpPort = Number(process.env.ZTPDP_HTTP_PORT ?? 3000);
const verbose = process.env.ZTPDP_VERBOSE === "1";
const EXPECTED_401_NOISE = /Unhandled exception in handler '(rest|token)Authorizer'|Error: Unauthorized$|Authorization function returned an error response/;

const issuers = await startDevIssuers({ config, keys, port: issuerPort }).catch((err: Error) => {
  console.error(`cannot listen on 127.0.0.1:${issuerPort} for the development issuers: ${err.message}`);
  process.exit(1);
});
console.log(`dev IdP and MDM: http://127.0.0.1:${issuers.port}  (keys in ${DEFAULT_DEV_KEYS_DIR}/, never committed)`);
// The Verified Access trust provider's DynamoDB and secrets (absent from the config: nothing to start).
const trustProvider = await startDevTrustProvider({ config, keysDir: join(root, DEFAULT_DEV_KEYS_DIR), httpPort });

// ZTPDP_ENGINE=avp-remote | avp-mirror: decide with Verified Permissions on a local endpoint (avp-stack.ts).
const avpStack = await avpStackFromEnv(root, process.env, verbose).catch(async (err: Error) => {
  console.error(err.message);
  await issuers.close();
  await trustProvider?.close();
  process.exit(1);
});
console.log("starting serverless-offline (API Gateway emulation)…");

const stack = await startOffline({
  root,
  httpPort,
  lambdaPort: Number(process.env.ZTPDP_LAMBDA_PORT ?? 3002),
  ...(avpStack || trustProvider ? { env: { ...trustProvider?.env, ...avpStack?.env } } : {}),
  onAudit: (record) => console.log(formatAudit(record)),
  onLine: (line) => {
    // Offline's banner and per-request chatter are noise once the tour is printed; keep real errors. A 401
    // is our authorizer throwing "Unauthorized" on purpose, which offline reports as an exception.
    if (verbose || (/error|warn|×/i.test(line) && !EXPECTED_401_NOISE.test(line))) console.log(`  [offline] ${line}`);
  },
}).catch(async (err: Error) => {
  console.error(err.message);
  await issuers.close();
  await trustProvider?.close();
  await avpStack?.close();
  process.exit(1);
});
console.log(quickTour(stack.restUrl, stack.httpUrl));
if (trustProvider) console.log(trustProvider.tour());

const shutdown = async () => {
  await stack.stop();
  await issuers.close();
  await trustProvider?.close();
  await avpStack?.close();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
