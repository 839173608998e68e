import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.js";
import { avaDecision, browserLogin, redeemCode, userinfo, type AvaClient } from "./ava-client.js";
import { DEFAULT_DEV_KEYS_DIR, loadOrCreateDevKeys } from "./keys.js";
import { DEV_PROVIDERS, mintDeviceToken, type DevProvider } from "./mint.js";
import { projectRoot } from "./root.js";

/**
 * `npm run -s ava -- --user alice --device patched`: signs a development user in through the local trust
 * provider exactly as AWS Verified Access would (browser redirects, device token header, code redemption
 * with the client secret, userinfo), prints the claims AVA would put under `context.<ref>`, and evaluates
 * an AVA-style Cedar policy over them. Needs `npm start` running.
 */

/** The development client secret of `ava-dev` (config/pdp.yaml holds only its sha256). */
export const DEV_AVA_CLIENT_SECRET = "dev-ava-secret";

export const EXAMPLE_AVA_POLICY = `// Employees on a patched, managed device
permit (principal, action, resource)
when {
  context.ztpdp.groups.contains("Employees") &&
  context.ztpdp.device.managed &&
  context.ztpdp.device.patched
};
`;

const USAGE = `usage: npm run -s ava -- [options]        (with \`npm start\` running)
  --user NAME          a development user: alice, bob, hana, eve (default alice)
  --device STATE       patched | unpatched | none (default patched)
  --provider NAME      ${DEV_PROVIDERS.join(" | ")} (default jamf)
  --device-user NAME   bind the device token to another user (to see device_binding_mismatch)
  --policy FILE        AVA-style Cedar policies over context.<ref> (default: Employees on a patched, managed device)
  --ref NAME           the trust provider's policy reference name (default ztpdp)
  --auth METHOD        basic | post: client_secret_basic or client_secret_post (default basic)
  --issuer URL         the trust provider (default: ZTPDP_TP_ISSUER, else http://127.0.0.1:$ZTPDP_HTTP_PORT or :3000)
  --config FILE        the config \`npm start\` runs on (default: $ZTPDP_CONFIG, else config/pdp.yaml)`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(`${USAGE}\n`);
    return 0;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        user: { type: "string", default: "alice" },
        device: { type: "string", default: "patched" },
        provider: { type: "string", default: "jamf" },
        "device-user": { type: "string" },
        policy: { type: "string" },
        ref: { type: "string", default: "ztpdp" },
        auth: { type: "string", default: "basic" },
        issuer: { type: "string" },
        config: { type: "string" },
      },
    }));
  } catch (e) {
    err(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { device, provider, auth } = values;
  if (!["patched", "unpatched", "none"].includes(device)) return usage(err, `--device must be patched, unpatched or none`);
  if (!DEV_PROVIDERS.includes(provider as DevProvider)) return usage(err, `--provider must be one of ${DEV_PROVIDERS.join(", ")}`);
  if (auth !== "basic" && auth !== "post") return usage(err, "--auth must be basic or post");
  const root = projectRoot();
  // The same config as `npm start`: --config, else ZTPDP_CONFIG, else the development config.
  const configFile = values.config || process.env.ZTPDP_CONFIG;
  const { config, file } = loadConfig(configFile ? resolve(configFile) : join(root, "config/pdp.yaml"));
  const tp = config.trustProvider;
  if (!tp) return fail(err, `${file} has no trustProvider section`);
  const issuer = (values.issuer ?? process.env.ZTPDP_TP_ISSUER ?? `http://127.0.0.1:${process.env.ZTPDP_HTTP_PORT ?? 3000}`).replace(/\/+$/, "");
  const client = tp.clients[0]!;
  const ava: AvaClient = { issuer, clientId: client.clientId, clientSecret: DEV_AVA_CLIENT_SECRET, redirectUri: client.redirectUris[0]! };
  let deviceToken: string | undefined;
  if (device !== "none") {
    const p = config.devicePosture.providers.find((x) => x.name === provider);
    if (!p) return fail(err, `the config has no posture provider named "${provider}"`);
    deviceToken = mintDeviceToken(loadOrCreateDevKeys(join(root, DEFAULT_DEV_KEYS_DIR)).mdm, {
      provider: provider as DevProvider,
      issuer: p.issuer,
      audience: p.audiences[0]!,
      user: values["device-user"] ?? values.user,
      state: device as "patched" | "unpatched",
    });
  }
  const policies = values.policy ? readFileSync(resolve(values.policy), "utf8") : EXAMPLE_AVA_POLICY;
  try {
    const login = await browserLogin(ava, { user: values.user, ...(deviceToken ? { deviceToken } : {}) });
    if (!login.code) return fail(err, `sign-in did not complete (hops ${login.hops.join(" → ")}): ${login.location.searchParams.get("error_description") ?? login.location.href}`);
    const tokens = await redeemCode(ava, login.code, { auth });
    if (tokens.status !== 200) return fail(err, `token endpoint answered ${tokens.status}: ${JSON.stringify(tokens.body)}`);
    const info = await userinfo(ava, tokens.body.access_token as string);
    if (info.status !== 200) return fail(err, `userinfo answered ${info.status}: ${JSON.stringify(info.body)}`);
    const decision = avaDecision(policies, values.ref, info.body);
    out(
      [
        `signed in ${values.user} through ${issuer} (device: ${device === "none" ? "none" : `${provider} ${device}`}); browser hops: ${login.hops.join(" → ")}`,
        `tokens: expires_in ${String(tokens.body.expires_in)} s, refresh_expires_in ${String(tokens.body.refresh_expires_in)} s (client_secret_${auth})`,
        `userinfo = what AVA puts under context.${values.ref}:`,
        JSON.stringify(info.body, null, 2),
        `AVA policy (${values.policy ?? "example: Employees on a patched, managed device"}): ${decision.decision.toUpperCase()}${decision.errors.length ? ` (errors: ${decision.errors.join("; ")})` : ""}`,
        "",
      ].join("\n"),
    );
    return 0;
  } catch (e) {
    return fail(err, `${(e as Error).message} (is \`npm start\` running?)`);
  }
}

function usage(err: (s: string) => void, message: string): number {
  err(`${message}\n${USAGE}\n`);
  return 2;
}

function fail(err: (s: string) => void, message: string): number {
  err(`ava: ${message}\n`);
  return 1;
}
