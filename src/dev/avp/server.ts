import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AvpError, accessDenied, internal, serialization, throttled, unknownOperation, validation } from "./errors.js";
import { Faults } from "./faults.js";
import type { Body } from "./fields.js";
import { batchIsAuthorized, isAuthorized } from "./ops-authorize.js";
import { batchGetPolicy, createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from "./ops-policies.js";
import {
  createPolicyStore,
  createPolicyTemplate,
  deletePolicyStore,
  deletePolicyTemplate,
  getPolicyStore,
  getPolicyTemplate,
  getSchema,
  listPolicyStores,
  listPolicyTemplates,
  putSchema,
  updatePolicyTemplate,
} from "./ops-store.js";
import { Registry } from "./registry.js";

/**
 * A local Verified Permissions endpoint for tests, benchmarks and `npm start`: a loopback HTTP server that
 * speaks the service's awsJson1.0 protocol (`POST /`, `Content-Type: application/x-amz-json-1.0`,
 * `X-Amz-Target: VerifiedPermissions.<Operation>`), so the real `@aws-sdk/client-verifiedpermissions` talks
 * to it through `endpoint` with any credentials (requests must be SigV4-signed; signatures are not checked).
 * State lives in memory. Development infrastructure only: never bundled into a function.
 */

/** Largest request body (the service's request size quota, https://docs.aws.amazon.com/verifiedpermissions/latest/userguide/quotas.html). */
export const MAX_REQUEST_BYTES = 1_048_576;

type Handler = (reg: Registry, body: Body) => unknown;

const OPERATIONS: Record<string, Handler> = {
  IsAuthorized: isAuthorized,
  BatchIsAuthorized: batchIsAuthorized,
  CreatePolicy: createPolicy,
  GetPolicy: getPolicy,
  UpdatePolicy: updatePolicy,
  DeletePolicy: deletePolicy,
  ListPolicies: listPolicies,
  BatchGetPolicy: batchGetPolicy,
  CreatePolicyTemplate: createPolicyTemplate,
  GetPolicyTemplate: getPolicyTemplate,
  UpdatePolicyTemplate: updatePolicyTemplate,
  DeletePolicyTemplate: deletePolicyTemplate,
  ListPolicyTemplates: listPolicyTemplates,
  PutSchema: putSchema,
  GetSchema: getSchema,
  CreatePolicyStore: createPolicyStore,
  GetPolicyStore: getPolicyStore,
  DeletePolicyStore: deletePolicyStore,
  ListPolicyStores: listPolicyStores,
};

export interface CallRecord {
  operation: string;
  status: number;
  errorType?: string;
}

export interface LocalAvp {
  /** `http://127.0.0.1:<port>`: the client's `endpoint`. */
  url: string;
  port: number;
  registry: Registry;
  faults: Faults;
  /** Every call answered, in order (tests count them: quotas, retries, change-only refreshes). */
  calls: CallRecord[];
  count(operation?: string): number;
  close(): Promise<void>;
}

export interface LocalAvpOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Called for every call answered (npm start prints them with ZTPDP_VERBOSE=1). */
  onCall?: (call: CallRecord) => void;
}

export async function startLocalAvp(options: LocalAvpOptions = {}): Promise<LocalAvp> {
  const registry = new Registry();
  const faults = new Faults();
  const calls: CallRecord[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const operation = target.startsWith("VerifiedPermissions.") ? target.slice("VerifiedPermissions.".length) : target;
    const raw = await readBody(req);
    const fate = faults.take(operation);
    if (fate.delayMs > 0) await new Promise((r) => setTimeout(r, fate.delayMs));
    if (res.destroyed || req.socket.destroyed) return; // the caller gave up (aborted, timed out)
    if (fate.failure === "drop") {
      calls.push({ operation, status: 0, errorType: "connection dropped" });
      req.socket.destroy();
      return;
    }
    let status = 200;
    let payload: unknown;
    let errorType: string | undefined;
    try {
      payload = answer(operation, target, req, raw, fate.failure);
    } catch (err) {
      const e = err instanceof AvpError ? err : internal();
      if (!(err instanceof AvpError)) process.stderr.write(`local AVP endpoint: ${operation} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      status = e.status;
      payload = e.body();
      errorType = e.type;
    }
    const body = JSON.stringify(payload);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID(),
      ...(errorType ? { "x-amzn-errortype": errorType } : {}),
    });
    res.end(body);
    const call = { operation, status, ...(errorType ? { errorType } : {}) };
    calls.push(call);
    options.onCall?.(call);
  }

  function answer(operation: string, target: string, req: IncomingMessage, raw: Buffer | undefined, failure: string | undefined): unknown {
    if (raw === undefined) throw validation(`the request is larger than ${MAX_REQUEST_BYTES} bytes`);
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 ")) throw accessDenied("the request is not signed (SigV4)");
    const handler = req.method === "POST" && Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!handler) throw unknownOperation(target);
    if (failure === "throttle") throw throttled(operation);
    if (failure === "internal") throw internal();
    if (failure === "unavailable") throw new AvpError("ServiceUnavailableException", 503, "service unavailable (injected by the local endpoint)");
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString("utf8"));
    } catch {
      throw serialization("the request body is not valid JSON");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw serialization("the request body must be a JSON object");
    return handler(registry, body as Body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    registry,
    faults,
    calls,
    count: (operation) => (operation === undefined ? calls.length : calls.filter((c) => c.operation === operation).length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The body, or undefined when it exceeds the size quota (the rest is drained, not buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(c);
    });
    req.on("end", () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
