import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { IsAuthorizedCommand, VerifiedPermissionsClient, type AttributeValue } from "@aws-sdk/client-verifiedpermissions";
import { measure, type Measurement } from "../measure.js";
import { WIKI_QUERY } from "./decision.js";

/**
 * peer.avp-sdk: the real Verified Permissions SDK `IsAuthorized` call against a loopback endpoint that
 * answers like AVP. It counts the SDK (request building, signing, serialization, parsing) and HTTP on
 * loopback, with no network and no policy evaluation: a lower bound for calling AVP per request.
 */
export async function avpGroup(iterations: number): Promise<Measurement[]> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = JSON.stringify({ decision: "ALLOW", determiningPolicies: [{ policyId: "wiki-employees-read" }], errors: [] });
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const client = new VerifiedPermissionsClient({
    region: "eu-west-1",
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
    maxAttempts: 1,
  });
  const q = WIKI_QUERY;
  const command = new IsAuthorizedCommand({
    policyStoreId: "PSEXAMPLEabcdefg111111",
    principal: { entityType: "User", entityId: q.principal.id },
    action: { actionType: "Action", actionId: "GET" },
    resource: { entityType: "Route", entityId: q.resource.id },
    context: { contextMap: toAvp(q.context) as Record<string, AttributeValue> },
    entities: {
      entityList: q.entities.map((e) => ({
        identifier: { entityType: (e.uid as { type: string }).type, entityId: (e.uid as { id: string }).id },
        attributes: toAvp(e.attrs) as Record<string, AttributeValue>,
        parents: e.parents.map((p) => ({ entityType: (p as { type: string }).type, entityId: (p as { id: string }).id })),
      })),
    },
  });
  const first = await client.send(command);
  if (first.decision !== "ALLOW") throw new Error("AVP stub answer not parsed");
  const m = await measure("peer.avp-sdk", () => client.send(command), { warmup: 500, iterations, note: "SDK + loopback HTTP, no evaluation" });
  client.destroy();
  server.close();
  return [m];
}

/** Cedar JSON values to AVP's typed attribute values. */
function toAvp(value: Record<string, unknown>): Record<string, unknown> {
  const one = (v: unknown): unknown => {
    if (typeof v === "boolean") return { boolean: v };
    if (typeof v === "number") return { long: v };
    if (typeof v === "string") return { string: v };
    if (Array.isArray(v)) return { set: v.map(one) };
    const o = v as Record<string, unknown>;
    if (o.__extn) return { ipaddr: (o.__extn as { arg: string }).arg };
    return { record: toAvp(o) };
  };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
}
