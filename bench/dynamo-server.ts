// The trust provider benchmark's DynamoDB (dynalite) in its own process, as a table is a separate service:
// its CPU is not charged to the measured handlers' event loop. Reports its endpoint over IPC.
import { startLocalDynamo } from "../src/dev/dynamodb.js";
import { DEV_TABLE } from "../src/dev/trust-provider-stack.js";

const dynamo = await startLocalDynamo({ tableName: DEV_TABLE });
process.send?.({ endpoint: dynamo.endpoint });
process.on("disconnect", () => void dynamo.close().then(() => process.exit(0)));
