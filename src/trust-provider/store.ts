import { createHash } from "node:crypto";
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { StoreUnavailableError } from "./errors.js";

export { StoreUnavailableError } from "./errors.js";

/**
 * The trust provider's state in one DynamoDB table: logins in progress, authorization codes, sessions,
 * access and refresh tokens. Key `pk` = `<kind>#<sha256(secret value)>`: the table never holds a usable
 * code or token, only its hash. Every item has `expiresAt` (epoch seconds), the table's TTL attribute.
 *
 * DynamoDB's TTL deletes lazily ("typically within a few days") and expired items still appear in reads
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html), so every read
 * re-checks `expiresAt` here and treats an expired item as absent.
 */

export type ItemKind = "login" | "code" | "spent" | "session" | "access" | "refresh";

export interface TrustStore {
  /** Creates an item; never overwrites one (a collision of 256-bit random ids would be a bug, not data). */
  put(kind: ItemKind, id: string, data: object, expiresAt: number): Promise<void>;
  /** The item's data, or undefined when absent or expired. */
  get<T>(kind: ItemKind, id: string, nowSeconds: number): Promise<T | undefined>;
  /**
   * Single use (RFC 6749 §4.1.2, §10.5): deletes the item and returns what it held, atomically, so two
   * concurrent redemptions cannot both succeed (a get-then-delete could). Undefined when the item is
   * absent (already redeemed: a replay), or expired.
   */
  take<T>(kind: ItemKind, id: string, nowSeconds: number): Promise<T | undefined>;
  delete(kind: ItemKind, id: string): Promise<void>;
}


export interface DynamoStoreOptions {
  tableName: string;
  /** A DynamoDB-compatible endpoint (local development and tests). */
  endpoint?: string;
  region?: string;
  client?: DynamoDBClient;
}

export function hashedKey(kind: ItemKind, id: string): string {
  return `${kind}#${createHash("sha256").update(id).digest("base64url")}`;
}

export function createDynamoStore(o: DynamoStoreOptions): TrustStore {
  const client = o.client ?? createDynamoClient(o);
  const TableName = o.tableName;
  const key = (kind: ItemKind, id: string): Record<string, AttributeValue> => ({ pk: { S: hashedKey(kind, id) } });

  return {
    async put(kind, id, data, expiresAt) {
      await call(() =>
        client.send(
          new PutItemCommand({
            TableName,
            Item: { ...key(kind, id), expiresAt: { N: String(expiresAt) }, d: { S: JSON.stringify(data) } },
            ConditionExpression: "attribute_not_exists(pk)",
          }),
        ),
      );
    },
    async get(kind, id, nowSeconds) {
      const out = await call(() => client.send(new GetItemCommand({ TableName, Key: key(kind, id), ConsistentRead: true })));
      return live(out.Item, nowSeconds);
    },
    async take(kind, id, nowSeconds) {
      try {
        // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html: with a
        // condition and ReturnValues ALL_OLD, exactly one caller gets the item; the others fail the condition.
        const out = await client.send(
          new DeleteItemCommand({ TableName, Key: key(kind, id), ConditionExpression: "attribute_exists(pk)", ReturnValues: "ALL_OLD" }),
        );
        return live(out.Attributes, nowSeconds);
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
        throw new StoreUnavailableError(`state store: ${(err as Error).name}: ${(err as Error).message}`);
      }
    },
    async delete(kind, id) {
      await call(() => client.send(new DeleteItemCommand({ TableName, Key: key(kind, id) })));
    },
  };
}

/** Bounded time per call: the Lambda (6 s) must answer before API Gateway's 30 s, and AVA's 60 s idle limit. */
export function createDynamoClient(o: Pick<DynamoStoreOptions, "endpoint" | "region">): DynamoDBClient {
  const local = o.endpoint !== undefined;
  return new DynamoDBClient({
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    region: o.region ?? process.env.AWS_REGION ?? "us-east-1",
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
    // A local DynamoDB-compatible server ignores signatures, but the SDK still signs: give it something.
    ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: "local", secretAccessKey: "local" } } : {}),
  });
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new StoreUnavailableError(`state store: ${(err as Error).name}: ${(err as Error).message}`);
  }
}

function live<T>(item: Record<string, AttributeValue> | undefined, nowSeconds: number): T | undefined {
  if (!item) return undefined;
  const expiresAt = Number(item.expiresAt?.N);
  if (!Number.isFinite(expiresAt) || expiresAt <= nowSeconds) return undefined;
  const text = item.d?.S;
  if (text === undefined) return undefined;
  return JSON.parse(text) as T;
}
