import { createRequire } from "node:module";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from "@aws-sdk/client-dynamodb";
import { createDynamoClient } from "../trust-provider/store.js";

/**
 * A DynamoDB-compatible server on loopback for the trust provider's state (`npm start`, tests): dynalite
 * (pure JS, in memory, Node 22) speaking DynamoDB's JSON wire protocol, reached through the real
 * @aws-sdk/client-dynamodb. It has no TTL; the store re-checks `expiresAt` on every read anyway, as it
 * must against real DynamoDB, whose TTL deletes lazily. Development and tests only: never deployed.
 */

export interface LocalDynamo {
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

export async function startLocalDynamo(o: { port?: number; tableName?: string } = {}): Promise<LocalDynamo> {
  // dynalite is a devDependency, loaded only here (the dev bundle keeps it external).
  const dynalite = createRequire(import.meta.url)("dynalite") as (opts: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  if (o.tableName) await ensureTable(endpoint, o.tableName);
  return {
    endpoint,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The table as serverless.yml declares it: key `pk` (S), on demand. (TTL on `expiresAt` is set in AWS only.) */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = createDynamoClient({ endpoint });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as Error).name !== "ResourceNotFoundException") throw err;
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }),
    );
  } finally {
    client.destroy();
  }
}
