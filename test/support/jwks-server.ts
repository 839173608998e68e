import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server on 127.0.0.1, port 0, acting as an IdP's key endpoint: serves
 * `/.well-known/openid-configuration` and `jwksPath`. Tests swap keys, switch failure modes and count
 * requests. Generic: user-token, device-posture and end-to-end tests share it.
 */

export type JwksServerMode =
  | "ok"
  | "html" // 200 text/html
  | "hang" // never answers
  | "slow-body" // headers at once, then one byte per 100 ms, forever
  | "huge" // 200 JSON body of `hugeBytes` (no content-length, chunked)
  | "huge-declared" // as huge, with an honest content-length
  | "error500"
  | "redirect" // 302 to `redirectTo`
  | "not-json" // 200 application/json, body not JSON
  | "no-keys"; // 200 JSON without a `keys` array

export interface JwksServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Issuer URL suitable for `iss` (the origin plus `issuerPath`). */
  issuer: string;
  jwksUri: string;
  setKeys(jwks: unknown): void;
  setMode(mode: JwksServerMode): void;
  /** Number of requests per path, and in total. */
  requests(path?: string): number;
  resetCounts(): void;
  close(): Promise<void>;
}

export interface JwksServerOptions {
  jwks?: unknown;
  issuerPath?: string;
  jwksPath?: string;
  hugeBytes?: number;
  redirectTo?: string;
  contentType?: string;
}

export async function startJwksServer(opts: JwksServerOptions = {}): Promise<JwksServer> {
  let jwks: unknown = opts.jwks ?? { keys: [] };
  let mode: JwksServerMode = "ok";
  const counts = new Map<string, number>();
  const jwksPath = opts.jwksPath ?? "/.well-known/jwks.json";
  const issuerPath = opts.issuerPath ?? "";
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    if (path === `${issuerPath}/.well-known/openid-configuration`) {
      return sendJson(res, { issuer: origin + issuerPath, jwks_uri: origin + jwksPath });
    }
    if (path !== jwksPath) {
      res.writeHead(404).end();
      return;
    }
    switch (mode) {
      case "ok":
        return sendJson(res, jwks, opts.contentType);
      case "html":
        res.writeHead(200, { "content-type": "text/html" }).end("<html><body>Sign in</body></html>");
        return;
      case "hang":
        return; // keep the socket open, answer nothing
      case "slow-body": {
        res.writeHead(200, { "content-type": "application/json" });
        const t = setInterval(() => res.write(" "), 100);
        timers.add(t);
        res.on("close", () => clearInterval(t));
        return;
      }
      case "huge":
      case "huge-declared": {
        const body = `{"keys":[],"pad":"${"x".repeat(opts.hugeBytes ?? 2 * 1024 * 1024)}"}`;
        const headers: Record<string, string | number> = { "content-type": "application/json" };
        if (mode === "huge-declared") headers["content-length"] = Buffer.byteLength(body);
        res.writeHead(200, headers);
        res.end(body);
        return;
      }
      case "error500":
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"internal"}');
        return;
      case "redirect":
        res.writeHead(302, { location: opts.redirectTo ?? "https://attacker.example/jwks.json" }).end();
        return;
      case "not-json":
        res.writeHead(200, { "content-type": "application/json" }).end("{keys: nope");
        return;
      case "no-keys":
        return sendJson(res, { issuer: "x" });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    issuer: origin + issuerPath,
    jwksUri: origin + jwksPath,
    setKeys: (next) => {
      jwks = next;
    },
    setMode: (next) => {
      mode = next;
    },
    requests: (path) => (path === undefined ? [...counts.values()].reduce((a, b) => a + b, 0) : (counts.get(path) ?? 0)),
    resetCounts: () => counts.clear(),
    close: async () => {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res: ServerResponse, body: unknown, contentType = "application/json"): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(text) }).end(text);
}
