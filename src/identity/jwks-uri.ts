import { IdentityConfigError } from "./errors.js";

/**
 * Where keys may come from. JWKS over plain http would let anyone on the path swap the keys, so only https
 * is accepted, with one development exception: `http://` to a loopback host when the configuration says
 * `development.allowInsecureLoopbackJwks` (local IdP emulators, tests). Checked when a verifier is built,
 * so a bad URI stops the start-up instead of failing every request.
 */
export function checkJwksUri(uri: string, allowInsecureLoopback: boolean): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new IdentityConfigError(`JWKS URI \`${uri}\` is not a valid URL`);
  }
  if (url.username !== "" || url.password !== "") {
    throw new IdentityConfigError(`JWKS URI \`${url.origin}\` must not carry credentials`);
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:") {
    if (!allowInsecureLoopback) {
      throw new IdentityConfigError(
        `JWKS URI \`${uri}\` uses plain http; use https (or, for local development only, a loopback host with development.allowInsecureLoopbackJwks)`,
      );
    }
    if (!isLoopbackHost(url.hostname)) {
      throw new IdentityConfigError(`JWKS URI \`${uri}\` uses plain http to a host that is not loopback (127.0.0.0/8, ::1, localhost)`);
    }
    return url;
  }
  throw new IdentityConfigError(`JWKS URI \`${uri}\` must use https`);
}

/**
 * Loopback by name or literal address. `URL` has already canonicalised IPv4 forms such as `127.1` or
 * `0x7f.0.0.1` to dotted quads and wrapped IPv6 literals in brackets.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host === "[::1]" || host === "::1") return true;
  return isLoopbackAddress(host);
}

/** A resolved address (as from dns.lookup) in 127.0.0.0/8 or ::1 (also IPv4-mapped ::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^::ffff:/, "");
  if (a === "::1") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}
