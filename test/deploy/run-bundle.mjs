// Runs one authorizer bundle the way Lambda does: import its index.mjs (cold start), then call the
// handler with the event given as JSON in argv[3]. Prints `RESULT <json>` or `THROWN <message>` last;
// everything the bundle logs (audit records, EMF metrics) comes before, on stdout.
import { pathToFileURL } from "node:url";

const [, , entry, eventJson] = process.argv;
const context = {
  functionName: "zt-pdp-prod-authorizer",
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:zt-pdp-prod-authorizer",
  memoryLimitInMB: "1024",
  awsRequestId: "0f6c8e9a-run-bundle",
  logGroupName: "/aws/lambda/zt-pdp-prod-authorizer",
  logStreamName: "2026/11/29/[$LATEST]run",
  getRemainingTimeInMillis: () => 5000,
};
try {
  const { handler } = await import(pathToFileURL(entry).href);
  const result = await handler(JSON.parse(eventJson), context);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
} catch (err) {
  process.stdout.write(`THROWN ${err?.message ?? String(err)}\n`);
}
