import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import type { PdpConfig } from "../config/schema.js";
import { loadOrCreateDevKeys, DEFAULT_DEV_KEYS_DIR } from "./keys.js";
import { DEV_PROVIDERS, mintDeviceToken, mintServiceToken, mintUserToken, type DevProvider } from "./mint.js";
import { projectRoot } from "./root.js";

/**
 * `npm run -s token -- --user alice --groups Employees --device patched --provider jamf`
 * Mints tokens from the development issuers (keys in .dev-keys/) and prints them as shell assignments,
 * so `eval "$(npm run -s token -- ...)"` sets $TOKEN and $DEVICE_TOKEN for the curl commands of `npm start`.
 */

const USAGE = `usage: npm run -s token -- [options]
  --user NAME            a person (default alice)
  --groups A,B           the user's groups (default Employees)
  --service CLIENT_ID    a machine caller (client-credentials token) instead of a user, e.g. order-service
  --device STATE         patched | unpatched | none (default none)
  --provider NAME        ${DEV_PROVIDERS.join(" | ")} (default jamf)
  --no-mfa               the session had no second factor
  --ttl SECONDS          token lifetime (default 3600)
  --expired              issued two hours ago, expired one hour ago (to see a 401)
  --json                 print {"token", "deviceToken"} instead of shell assignments
  --config FILE          the config \`npm start\` runs on (default: $ZTPDP_CONFIG, else config/pdp.yaml)`;

class UsageError extends Error {}

export function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(`${USAGE}\n`);
    return 0;
  }
  try {
    out(mint(argv));
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`${(e as Error).message}\n${USAGE}\n`);
      return 2;
    }
    err(`token: ${(e as Error).message}\n`);
    return 1;
  }
}

function mint(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      user: { type: "string", default: "alice" },
      groups: { type: "string", default: "Employees" },
      service: { type: "string" },
      device: { type: "string", default: "none" },
      provider: { type: "string", default: "jamf" },
      "no-mfa": { type: "boolean", default: false },
      ttl: { type: "string", default: "3600" },
      expired: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      config: { type: "string" },
    },
  });
  const device = values.device;
  if (device !== "patched" && device !== "unpatched" && device !== "none") throw new UsageError(`--device must be patched, unpatched or none (got "${device}")`);
  if (!DEV_PROVIDERS.includes(values.provider as DevProvider)) throw new UsageError(`--provider must be one of ${DEV_PROVIDERS.join(", ")}`);
  const ttl = Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw new UsageError("--ttl must be a whole number of seconds between 1 and 86400");
  if (values.service !== undefined && device !== "none") throw new UsageError("a service has no device: drop --device");

  // An expired token is issued in the past, not with a tiny lifetime: the PDP tolerates clock skew.
  const nowSeconds = Math.floor(Date.now() / 1000) - (values.expired ? 7200 : 0);
  const root = projectRoot();
  // The same config as `npm start`: --config, else ZTPDP_CONFIG, else the development config.
  const configFile = values.config || process.env.ZTPDP_CONFIG;
  const { config } = loadConfig(configFile ? resolve(configFile) : join(root, "config/pdp.yaml"));
  const keys = loadOrCreateDevKeys(join(root, DEFAULT_DEV_KEYS_DIR));
  const idp = devIssuer(config);
  const token =
    values.service !== undefined
      ? mintServiceToken(keys.idp, { issuer: idp.issuer, audience: idp.audience, clientId: values.service, lifetimeSeconds: ttl, nowSeconds })
      : mintUserToken(keys.idp, {
          issuer: idp.issuer,
          audience: idp.audience,
          user: values.user,
          groups: values.groups.split(",").map((g) => g.trim()).filter((g) => g !== ""),
          mfa: !values["no-mfa"],
          lifetimeSeconds: values.expired ? 3600 : ttl,
          nowSeconds,
        });
  let deviceToken: string | undefined;
  if (device !== "none") {
    const provider = config.devicePosture.providers.find((p) => p.name === values.provider);
    if (!provider) throw new UsageError(`the config has no posture provider named "${values.provider}"`);
    deviceToken = mintDeviceToken(keys.mdm, {
      provider: values.provider as DevProvider,
      issuer: provider.issuer,
      audience: provider.audiences[0]!,
      user: values.user,
      state: device,
      lifetimeSeconds: values.expired ? 3600 : ttl,
      nowSeconds,
    });
  }
  if (values.json) return JSON.stringify({ token, deviceToken: deviceToken ?? null }) + "\n";
  const who = values.service !== undefined ? `service ${values.service}` : `${values.user} (groups: ${values.groups || "none"})`;
  return [
    `# ${who}; device: ${device === "none" ? "none" : `${values.provider} ${device}`}; ${values.expired ? "EXPIRED" : `valid ${ttl} s`}`,
    `TOKEN='${token}'`,
    deviceToken ? `DEVICE_TOKEN='${deviceToken}'` : "DEVICE_TOKEN=''",
    "",
  ].join("\n");
}

/** The first configured issuer with a loopback URL: the development IdP. */
function devIssuer(config: PdpConfig): { issuer: string; audience: string } {
  const issuer = config.issuers.find((i) => ["127.0.0.1", "localhost", "[::1]"].includes(new URL(i.issuer).hostname));
  if (!issuer) throw new Error("the config has no loopback (development) issuer to mint tokens for");
  return { issuer: issuer.issuer, audience: issuer.audiences[0]! };
}
