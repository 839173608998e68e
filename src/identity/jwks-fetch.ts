import { lookup as dnsLookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { JwksFetchError } from "./errors.js";
import { checkJwksUri, isLoopbackAddress } from "./jwks-uri.js";
import { parseStrictJsonObject } from "./strict-json.js";

/**
 * Download a JWKS document, bounded in time and size. aws-jwt-verify's own fetcher is https-only, has no
 * body-size limit and retries once; this one is what a cold-started authorizer can afford: one attempt,
 * one deadline for the whole exchange, the body cut off as soon as it exceeds the limit.
 */

export interface JwksFetchOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  allowInsecureLoopback: boolean;
}

/** Media types a JWKS may be served with: RFC 7517 §8.5.1 `application/jwk-set+json`, or plain JSON. */
function isJsonMediaType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type === "application/jwk-set+json" || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/**
 * For `http://localhost`, check that the name really resolves to loopback: plain http is only tolerated
 * because the bytes never leave the machine.
 */
export const loopbackOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, "", 4);
    const list = addresses as unknown as { address: string; family: number }[];
    const bad = list.find((a) => !isLoopbackAddress(a.address));
    if (bad !== undefined || list.length === 0) {
      return callback(new JwksFetchError(`\`${hostname}\` does not resolve to loopback only`), "", 4);
    }
    if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    const first = list[0]!;
    return callback(null, first.address, first.family);
  });
};

export async function fetchJwksJson(uri: string, opts: JwksFetchOptions): Promise<unknown> {
  // Re-checked per call (cheap), so the fetcher is safe even if used outside a verifier.
  const url = checkJwksUri(uri, opts.allowInsecureLoopback);
  const isHttp = url.protocol === "http:";
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    let req: ReturnType<typeof httpRequest> | undefined;
    // One deadline for connect + headers + body: a server that trickles bytes cannot hold us longer.
    const deadline = setTimeout(() => finish(new JwksFetchError(`JWKS fetch from \`${url.origin}\` timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    deadline.unref();
    const finish = (err: Error | undefined, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) {
        req?.destroy();
        reject(err instanceof JwksFetchError ? err : new JwksFetchError(`JWKS fetch from \`${url.origin}\` failed: ${err.message}`));
      } else {
        resolve(value);
      }
    };
    const request = isHttp ? httpRequest : httpsRequest;
    req = request(
      url,
      {
        method: "GET",
        headers: { accept: "application/jwk-set+json, application/json" },
        ...(isHttp ? { lookup: loopbackOnlyLookup } : {}),
      },
      (res) => onResponse(res),
    );
    req.on("error", (e) => finish(e));
    req.end();

    function onResponse(res: IncomingMessage): void {
      // Redirects are not followed (node:http never does): a JWKS that moves is a configuration change.
      if (res.statusCode !== 200) {
        res.resume();
        return finish(new JwksFetchError(`JWKS fetch from \`${url.origin}\` returned status ${res.statusCode}`));
      }
      if (!isJsonMediaType(res.headers["content-type"])) {
        res.resume();
        return finish(new JwksFetchError(`JWKS from \`${url.origin}\` has content type \`${res.headers["content-type"] ?? ""}\`, expected JSON`));
      }
      const declared = Number(res.headers["content-length"] ?? "0");
      if (declared > opts.maxResponseBytes) {
        return finish(new JwksFetchError(`JWKS from \`${url.origin}\` is larger than ${opts.maxResponseBytes} bytes`));
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxResponseBytes) {
          finish(new JwksFetchError(`JWKS from \`${url.origin}\` is larger than ${opts.maxResponseBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", (e) => finish(e));
      res.on("end", () => {
        if (settled) return;
        let text: string;
        try {
          text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
        } catch {
          return finish(new JwksFetchError(`JWKS from \`${url.origin}\` is not valid UTF-8`));
        }
        const parsed = parseStrictJsonObject(text);
        if (!parsed.ok) return finish(new JwksFetchError(`JWKS from \`${url.origin}\` is rejected: ${parsed.reason}`));
        finish(undefined, parsed.value);
      });
    }
  });
}
