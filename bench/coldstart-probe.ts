// One cold start: import the built authorizer (its top-level await loads config, policies and keys), answer
// one event, report when, exit. Run by bench/groups/coldstart.ts in a fresh process each time. It imports
// nothing but node:fs, so the time measured is the authorizer's own.
import { readFileSync } from "node:fs";

const [handlerFile = "", eventFile = ""] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, "utf8"));
const context = {
  functionName: "ztpdp-rest-authorizer",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:ztpdp-rest-authorizer",
  memoryLimitInMB: "512",
  awsRequestId: "00000000-0000-0000-0000-000000000001",
  logGroupName: "/aws/lambda/ztpdp-rest-authorizer",
  logStreamName: "bench",
  getRemainingTimeInMillis: () => 10_000,
};
const { handler } = await import(handlerFile);
const res = await handler(event, context);
const ms = performance.now(); // since this process's time origin
process.send?.({ ms, effect: res.policyDocument.Statement[0].Effect }, () => process.exit(0));
