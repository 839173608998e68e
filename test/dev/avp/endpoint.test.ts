import {
  BatchGetPolicyCommand,
  BatchIsAuthorizedCommand,
  CreatePolicyCommand,
  CreatePolicyStoreCommand,
  CreatePolicyTemplateCommand,
  DeletePolicyCommand,
  DeletePolicyStoreCommand,
  DeletePolicyTemplateCommand,
  GetPolicyCommand,
  GetSchemaCommand,
  IsAuthorizedCommand,
  ListPoliciesCommand,
  PutSchemaCommand,
  UpdatePolicyCommand,
  UpdatePolicyTemplateCommand,
} from "@aws-sdk/client-verifiedpermissions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sdkClient, startLocalAvp, type LocalAvp } from "./client.js";

/**
 * The local endpoint through the real `@aws-sdk/client-verifiedpermissions` (awsJson1.0 over loopback):
 * the service's documented rules, error shapes and fault switches.
 */

const SCHEMA = {
  Acme: {
    entityTypes: { User: { memberOfTypes: ["Team"], shape: { type: "Record", attributes: { level: { type: "Long" } } } }, Team: {}, Doc: {} },
    actions: {
      read: { appliesTo: { principalTypes: ["User"], resourceTypes: ["Doc"], context: { type: "Record", attributes: { ip: { type: "Extension", name: "ipaddr" } } } } },
      write: { appliesTo: { principalTypes: ["User"], resourceTypes: ["Doc"] } },
      any: {},
    },
  },
};
SCHEMA.Acme.actions.read = { ...SCHEMA.Acme.actions.read, memberOf: [{ id: "any" }] } as never;

let avp: LocalAvp;
let client: ReturnType<typeof sdkClient>;
let store: string;

async function newStore(mode: "STRICT" | "OFF" = "STRICT", schema: unknown = SCHEMA): Promise<string> {
  const { policyStoreId } = await client.send(new CreatePolicyStoreCommand({ validationSettings: { mode } }));
  if (schema) await client.send(new PutSchemaCommand({ policyStoreId, definition: { cedarJson: JSON.stringify(schema) } }));
  return String(policyStoreId);
}

const staticPolicy = (statement: string, description?: string) => ({ static: { statement, ...(description ? { description } : {}) } });

beforeAll(async () => {
  avp = await startLocalAvp();
  client = sdkClient(avp);
  store = await newStore();
});
afterAll(() => avp.close());

describe("wire protocol", () => {
  it("answers the SDK with ISO dates, and errors with __type, message and x-amzn-ErrorType", async () => {
    const created = await client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy('permit (principal == Acme::User::"a", action == Acme::Action::"read", resource);') }));
    expect(created.policyId).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(created.createdDate).toBeInstanceOf(Date);
    const raw = await fetch(avp.url, {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "VerifiedPermissions.GetPolicy", authorization: "AWS4-HMAC-SHA256 Credential=x" },
      body: JSON.stringify({ policyStoreId: store, policyId: "SPdoesnotexist00000000" }),
    });
    expect(raw.status).toBe(404);
    expect(raw.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(await raw.json()).toMatchObject({ __type: "ResourceNotFoundException", resourceType: "POLICY", resourceId: "SPdoesnotexist00000000" });
    await expect(client.send(new GetPolicyCommand({ policyStoreId: store, policyId: "SPdoesnotexist00000000" }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
      $metadata: { httpStatusCode: 404 },
    });
  });

  it("refuses unsigned requests and unknown operations", async () => {
    const post = (target: string, authorization?: string) =>
      fetch(avp.url, { method: "POST", headers: { "x-amz-target": target, ...(authorization ? { authorization } : {}) }, body: "{}" });
    expect((await post("VerifiedPermissions.ListPolicyStores")).status).toBe(403);
    const unknown = await post("VerifiedPermissions.DropEverything", "AWS4-HMAC-SHA256 Credential=x");
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: "UnknownOperationException" });
  });
});

describe("schema rules", () => {
  it.each([
    ["an empty namespace", { "": SCHEMA.Acme }],
    ["two namespaces", { A: SCHEMA.Acme, B: SCHEMA.Acme }],
    ["a reserved namespace", { aws: SCHEMA.Acme }],
    ["a schema Cedar refuses", { Acme: { entityTypes: { User: { memberOfTypes: ["Nope"] } }, actions: {} } }],
  ])("PutSchema refuses %s", async (_what, schema) => {
    await expect(client.send(new PutSchemaCommand({ policyStoreId: store, definition: { cedarJson: JSON.stringify(schema) } }))).rejects.toMatchObject({
      name: "ValidationException",
    });
  });

  it("PutSchema refuses a schema over 100,000 bytes; GetSchema returns the schema as put", async () => {
    const big = { Acme: { ...SCHEMA.Acme, entityTypes: { ...SCHEMA.Acme.entityTypes, Big: { annotations: { doc: "x".repeat(100_001) } } } } };
    await expect(client.send(new PutSchemaCommand({ policyStoreId: store, definition: { cedarJson: JSON.stringify(big) } }))).rejects.toMatchObject({ name: "ValidationException" });
    const got = await client.send(new GetSchemaCommand({ policyStoreId: store }));
    expect(JSON.parse(String(got.schema))).toEqual(SCHEMA);
    expect(got.namespaces).toEqual(["Acme"]);
  });
});

describe("policy rules", () => {
  it("refuses a policy over 10,000 bytes", async () => {
    const long = `permit (principal, action == Acme::Action::"read", resource) when { ${Array.from({ length: 600 }, (_, i) => `principal.level != ${i}`).join(" && ")} };`;
    expect(Buffer.byteLength(long)).toBeGreaterThan(10_000);
    await expect(client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy(long) }))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("at most 10000 bytes"),
    });
  });

  it("STRICT: refuses a policy invalid against the schema, and any policy without a schema", async () => {
    await expect(client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy("permit (principal, action, resource) when { principal.nope };") }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    const bare = await newStore("STRICT", null);
    await expect(client.send(new CreatePolicyCommand({ policyStoreId: bare, definition: staticPolicy("permit (principal, action, resource);") }))).rejects.toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("No schema present"),
    });
    const off = await newStore("OFF", null);
    await expect(client.send(new CreatePolicyCommand({ policyStoreId: off, definition: staticPolicy("permit (principal, action, resource) when { principal.nope };") }))).resolves.toBeDefined();
  });

  it("refuses two policies in one statement, and slots in a static policy", async () => {
    for (const statement of ["permit (principal, action, resource); forbid (principal, action, resource);", "permit (principal == ?principal, action, resource);"]) {
      await expect(client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy(statement) }))).rejects.toMatchObject({ name: "ValidationException" });
    }
  });

  it("UpdatePolicy changes conditions and actions, but not effect, principal or resource", async () => {
    const { policyId } = await client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy('permit (principal == Acme::User::"u", action == Acme::Action::"read", resource);') }));
    const before = await client.send(new GetPolicyCommand({ policyStoreId: store, policyId }));
    const updated = await client.send(
      new UpdatePolicyCommand({ policyStoreId: store, policyId, definition: { static: { statement: 'permit (principal == Acme::User::"u", action in [Acme::Action::"read", Acme::Action::"write"], resource) when { principal.level > 1 };' } } }),
    );
    expect(updated.lastUpdatedDate!.getTime()).toBeGreaterThan(before.lastUpdatedDate!.getTime());
    for (const statement of [
      'forbid (principal == Acme::User::"u", action == Acme::Action::"read", resource);',
      'permit (principal == Acme::User::"v", action == Acme::Action::"read", resource);',
      'permit (principal == Acme::User::"u", action == Acme::Action::"read", resource == Acme::Doc::"d");',
    ]) {
      await expect(client.send(new UpdatePolicyCommand({ policyStoreId: store, policyId, definition: { static: { statement } } }))).rejects.toMatchObject({ name: "ValidationException" });
    }
  });

  it("DeletePolicy is idempotent; a missing store is ResourceNotFoundException", async () => {
    await expect(client.send(new DeletePolicyCommand({ policyStoreId: store, policyId: "SPdoesnotexist00000000" }))).resolves.toBeDefined();
    await expect(client.send(new DeletePolicyCommand({ policyStoreId: "PSnope", policyId: "x" }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("templates", () => {
  it("require both principal and resource constrained; linked policies follow their template", async () => {
    const s = await newStore();
    await expect(client.send(new CreatePolicyTemplateCommand({ policyStoreId: s, statement: "permit (principal, action, resource == ?resource);" }))).rejects.toMatchObject({
      name: "ValidationException",
    });
    const t = await client.send(new CreatePolicyTemplateCommand({ policyStoreId: s, statement: 'permit (principal == ?principal, action == Acme::Action::"read", resource in ?resource);' }));
    const linked = await client.send(
      new CreatePolicyCommand({
        policyStoreId: s,
        definition: { templateLinked: { policyTemplateId: t.policyTemplateId, principal: { entityType: "Acme::User", entityId: "u" }, resource: { entityType: "Acme::Doc", entityId: "d" } } },
      }),
    );
    const ask = () =>
      client.send(
        new IsAuthorizedCommand({
          policyStoreId: s,
          principal: { entityType: "Acme::User", entityId: "u" },
          action: { actionType: "Acme::Action", actionId: "read" },
          resource: { entityType: "Acme::Doc", entityId: "d" },
          context: { contextMap: { ip: { ipaddr: "10.0.0.1" } } },
        }),
      );
    expect((await ask()).determiningPolicies).toEqual([{ policyId: linked.policyId }]);
    await expect(client.send(new DeletePolicyTemplateCommand({ policyStoreId: s, policyTemplateId: t.policyTemplateId }))).rejects.toMatchObject({ name: "ConflictException" });
    await client.send(
      new UpdatePolicyTemplateCommand({
        policyStoreId: s,
        policyTemplateId: t.policyTemplateId,
        statement: 'permit (principal == ?principal, action == Acme::Action::"read", resource in ?resource) when { context.ip.isInRange(ip("192.168.0.0/16")) };',
      }),
    );
    expect((await ask()).decision).toBe("DENY");
  });
});

describe("paging and batches", () => {
  it("ListPolicies: at most 50 per page, items without statements, every policy once across pages", async () => {
    const s = await newStore();
    const ids = new Set<string>();
    for (let i = 0; i < 23; i += 1) {
      const p = await client.send(new CreatePolicyCommand({ policyStoreId: s, definition: staticPolicy(`permit (principal == Acme::User::"u${i}", action, resource);`, `p${i}`) }));
      ids.add(String(p.policyId));
    }
    await expect(client.send(new ListPoliciesCommand({ policyStoreId: s, maxResults: 51 }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(client.send(new ListPoliciesCommand({ policyStoreId: s, nextToken: "bm90IGEgdG9rZW4" }))).rejects.toMatchObject({ name: "ValidationException" });
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListPoliciesCommand({ policyStoreId: s, nextToken }));
      pages += 1;
      expect(page.policies!.length).toBeLessThanOrEqual(10); // the default page size
      for (const p of page.policies!) {
        expect(p.definition).toEqual({ static: { description: expect.stringMatching(/^p\d+$/) } });
        seen.push(String(p.policyId));
      }
      nextToken = page.nextToken;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(ids);
  });

  it("BatchGetPolicy: 1..100 requests, statements in request order, missing ones as errors", async () => {
    const one = await client.send(new CreatePolicyCommand({ policyStoreId: store, definition: staticPolicy('permit (principal == Acme::User::"batch", action, resource);') }));
    const out = await client.send(
      new BatchGetPolicyCommand({ requests: [{ policyStoreId: store, policyId: String(one.policyId) }, { policyStoreId: store, policyId: "SPgone0000000000000000" }, { policyStoreId: "PSgone", policyId: "x" }] }),
    );
    expect(out.results!.map((r) => r.definition)).toEqual([{ static: { statement: 'permit (principal == Acme::User::"batch", action, resource);' } }]);
    expect(out.errors!.map((e) => e.code)).toEqual(["POLICY_NOT_FOUND", "POLICY_STORE_NOT_FOUND"]);
    const tooMany = Array.from({ length: 101 }, () => ({ policyStoreId: store, policyId: String(one.policyId) }));
    await expect(client.send(new BatchGetPolicyCommand({ requests: tooMany }))).rejects.toMatchObject({ name: "ValidationException" });
  });

  it("BatchIsAuthorized: at most 30 requests, sharing the principal or the resource", async () => {
    const req = (user: string, doc: string) => ({
      principal: { entityType: "Acme::User", entityId: user },
      action: { actionType: "Acme::Action", actionId: "write" },
      resource: { entityType: "Acme::Doc", entityId: doc },
    });
    const samePrincipal = Array.from({ length: 30 }, (_, i) => req("u", `d${i}`));
    expect((await client.send(new BatchIsAuthorizedCommand({ policyStoreId: store, requests: samePrincipal }))).results).toHaveLength(30);
    await expect(client.send(new BatchIsAuthorizedCommand({ policyStoreId: store, requests: [...samePrincipal, req("u", "d31")] }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(client.send(new BatchIsAuthorizedCommand({ policyStoreId: store, requests: [req("a", "x"), req("b", "y")] }))).rejects.toMatchObject({ name: "ValidationException" });
  });
});

describe("evaluation", () => {
  it("typed and cedarJson entities/context give the same answer; schema action groups are added; errors name the policy", async () => {
    const s = await newStore();
    const group = await client.send(new CreatePolicyCommand({ policyStoreId: s, definition: staticPolicy('permit (principal in Acme::Team::"t", action in Acme::Action::"any", resource) when { context.ip.isInRange(ip("10.0.0.0/8")) };') }));
    const erroring = await client.send(new CreatePolicyCommand({ policyStoreId: s, definition: staticPolicy('forbid (principal, action == Acme::Action::"read", resource) when { principal.level * 9223372036854775807 > 1 };') }));
    const base = {
      policyStoreId: s,
      principal: { entityType: "Acme::User", entityId: "u" },
      action: { actionType: "Acme::Action", actionId: "read" },
      resource: { entityType: "Acme::Doc", entityId: "d" },
    };
    const typed = await client.send(
      new IsAuthorizedCommand({
        ...base,
        context: { contextMap: { ip: { ipaddr: "10.1.2.3" } } },
        entities: { entityList: [{ identifier: { entityType: "Acme::User", entityId: "u" }, attributes: { level: { long: 2 } }, parents: [{ entityType: "Acme::Team", entityId: "t" }] }] },
      }),
    );
    const json = await client.send(
      new IsAuthorizedCommand({
        ...base,
        context: { cedarJson: JSON.stringify({ ip: { __extn: { fn: "ip", arg: "10.1.2.3" } } }) },
        entities: { cedarJson: JSON.stringify([{ uid: { type: "Acme::User", id: "u" }, attrs: { level: 2 }, parents: [{ type: "Acme::Team", id: "t" }] }]) },
      }),
    );
    const strip = ({ $metadata: _m, ...rest }: { $metadata: unknown }) => rest;
    expect(strip(typed)).toEqual(strip(json));
    expect(typed).toMatchObject({ decision: "ALLOW", determiningPolicies: [{ policyId: group.policyId }] });
    expect(typed.errors).toEqual([{ errorDescription: expect.stringMatching(new RegExp(`^error while evaluating policy \`${erroring.policyId}\`: integer overflow`)) }]);
  });

  it("an unknown store is ResourceNotFoundException; a deleted store too", async () => {
    const s = await newStore();
    await client.send(new DeletePolicyStoreCommand({ policyStoreId: s }));
    await expect(
      client.send(new IsAuthorizedCommand({ policyStoreId: s, principal: { entityType: "Acme::User", entityId: "u" }, action: { actionType: "Acme::Action", actionId: "read" }, resource: { entityType: "Acme::Doc", entityId: "d" } })),
    ).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("fault switches", () => {
  const ask = () =>
    client.send(new IsAuthorizedCommand({ policyStoreId: store, principal: { entityType: "Acme::User", entityId: "u" }, action: { actionType: "Acme::Action", actionId: "write" }, resource: { entityType: "Acme::Doc", entityId: "d" } }));

  it("throttle, internal and unavailable for the next N calls of an operation, then normal answers", async () => {
    avp.faults.add({ kind: "throttle", operations: ["IsAuthorized"], count: 1 }).add({ kind: "internal", operations: ["IsAuthorized"], count: 1 }).add({ kind: "unavailable", count: 1 });
    await expect(ask()).rejects.toMatchObject({ name: "ThrottlingException", $metadata: { httpStatusCode: 429 } });
    await expect(ask()).rejects.toMatchObject({ name: "InternalServerException", $metadata: { httpStatusCode: 500 } });
    await expect(ask()).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
    await expect(ask()).resolves.toMatchObject({ decision: "DENY" });
    avp.faults.clear();
  });

  it("latency holds answers back; drop closes the connection; rate throttles beyond N per second", async () => {
    avp.faults.add({ kind: "latency", ms: 300, count: 1 });
    const started = performance.now();
    await ask();
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    avp.faults.add({ kind: "drop", count: 1 });
    await expect(ask()).rejects.toThrow();
    avp.faults.clear().add({ kind: "rate", rps: 2, operations: ["IsAuthorized"] });
    const results = await Promise.allSettled(Array.from({ length: 6 }, ask));
    expect(results.filter((r) => r.status === "rejected").length).toBeGreaterThanOrEqual(3);
    avp.faults.clear();
  });
});
