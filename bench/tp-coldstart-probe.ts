// One cold start of a trust-provider function: import the built bundle (config, keys, table client,
// verifiers with JWKS prefetch), answer one API Gateway HTTP API event, report when, exit. Run by
// bench/groups/trust-provider.ts in a fresh process each time; it imports nothing but node:fs.
import { readFileSync } from "node:fs";

const [handlerFile = "", eventFile = ""] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = { functionName: "ztpdp-tp", awsRequestId: "00000000-0000-0000-0000-000000000001", getRemainingTimeInMillis: () => 10_000 };
const { handler } = await import(handlerFile);
const res = await handler(event, context);
const ms = performance.now();
process.send?.({ ms, status: res.statusCode }, () => process.exit(0));
