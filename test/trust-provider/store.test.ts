import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalDynamo } from "../../src/dev/dynamodb.js";
import { createDynamoClient, createDynamoStore, StoreUnavailableError, type TrustStore } from "../../src/trust-provider/store.js";
import { startTestDynamo, TEST_TABLE } from "../support/trust-provider.js";

// The state store against a DynamoDB-compatible server (dynalite) through the real AWS SDK.

let dynamo: LocalDynamo;
let store: TrustStore;
const now = 1_800_000_000;
beforeAll(async () => {
  dynamo = await startTestDynamo();
  store = createDynamoStore({ tableName: TEST_TABLE, endpoint: dynamo.endpoint });
});
afterAll(async () => {
  await dynamo?.close();
});

describe("DynamoDB state store", () => {
  it("a code is single use: the first take gets it, a second gets nothing (a replay)", async () => {
    await store.put("code", "code-1", { sessionId: "s1" }, now + 60);
    expect(await store.take("code", "code-1", now)).toEqual({ sessionId: "s1" });
    expect(await store.take("code", "code-1", now)).toBeUndefined();
  });

  it("concurrent redemptions of one code: exactly one wins (conditional delete, not get-then-delete)", async () => {
    await store.put("code", "code-race", { n: 1 }, now + 60);
    const results = await Promise.all(Array.from({ length: 8 }, () => store.take("code", "code-race", now)));
    expect(results.filter((r) => r !== undefined)).toHaveLength(1);
  });

  it("an expired item reads as absent even though it is still in the table (TTL deletes lazily)", async () => {
    await store.put("access", "token-old", { a: 1 }, now - 1);
    expect(await store.get("access", "token-old", now)).toBeUndefined();
    expect(await store.take("access", "token-old", now)).toBeUndefined();
    await store.put("access", "token-edge", { a: 1 }, now);
    expect(await store.get("access", "token-edge", now)).toBeUndefined();
    expect(await store.get("access", "token-edge", now - 1)).toEqual({ a: 1 });
  });

  it("kinds are separate: a code is not an access token", async () => {
    await store.put("code", "same-value", { k: "code" }, now + 60);
    expect(await store.get("access", "same-value", now)).toBeUndefined();
  });

  it("never overwrites an item", async () => {
    await store.put("session", "s-dup", { v: 1 }, now + 60);
    await expect(store.put("session", "s-dup", { v: 2 }, now + 60)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await store.get("session", "s-dup", now)).toEqual({ v: 1 });
  });

  it("keeps only hashes of codes and tokens as keys, and a TTL on every item", async () => {
    const secret = "raw-refresh-token-value-123";
    await store.put("refresh", secret, { sessionId: "s" }, now + 60);
    const client = createDynamoClient({ endpoint: dynamo.endpoint });
    const items = (await client.send(new ScanCommand({ TableName: TEST_TABLE }))).Items ?? [];
    client.destroy();
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.stringify(items)).not.toContain(secret);
    for (const item of items) expect(Number(item.expiresAt?.N)).toBeGreaterThan(0);
  });

  it("an unreachable table is a StoreUnavailableError (a server fault), for reads, writes and takes", async () => {
    const down = createDynamoStore({ tableName: "no-such-table", endpoint: dynamo.endpoint });
    await expect(down.get("code", "x", now)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(down.put("code", "x", {}, now + 1)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(down.take("code", "x", now)).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
